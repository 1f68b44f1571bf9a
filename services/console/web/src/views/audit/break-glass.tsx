import type { AuditEvent, Bundle } from 'fhir/r4';
import { useState, type FormEvent } from 'react';
import { getJson, sendJson } from '../../api/client';
import { EmptyState, ErrorBox, Notice, Progress } from '../../components/feedback';
import { failureFrom, useLoad } from '../../components/use-call';
import { describeAuditEvent, formatDateTime } from '../../logic/audit-event-view';
import { apiPath } from '../../logic/fhir-paths';
import type { Failure } from '../../logic/operation-outcome';
import { hrefOf } from '../../logic/routes';

const QUEUE = apiPath('audit', 'AuditEvent/$break-glass-review', { _count: '50' });

/** Break-glass accesses not yet reviewed, each with its justification and the review action. */
export function BreakGlassView() {
  const { state, reload } = useLoad(() => getJson<Bundle>(QUEUE), 'queue');
  const [reviewed, setReviewed] = useState<{ text: string; id?: string } | undefined>();
  const events =
    state.status === 'done' ? (state.value.entry ?? []).map((e) => e.resource as AuditEvent) : [];
  return (
    <section aria-labelledby="break-glass-title">
      <h1 id="break-glass-title">Bris de glace à revoir</h1>
      {reviewed ? (
        <Notice>
          {reviewed.text}{' '}
          {reviewed.id ? <a href={hrefOf('audit-event', reviewed.id)}>Voir la revue</a> : null}
        </Notice>
      ) : null}
      {state.status === 'loading' ? <Progress label="Chargement de la file…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {state.status === 'done' && events.length === 0 ? (
        <EmptyState>Aucun accès en bris de glace n’attend de revue.</EmptyState>
      ) : null}
      <ul className="cards">
        {events.map((event) => (
          <BreakGlassCard
            key={event.id}
            event={event}
            onReviewed={(text, id) => {
              setReviewed({ text, ...(id ? { id } : {}) });
              reload();
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function BreakGlassCard({
  event,
  onReviewed,
}: {
  event: AuditEvent;
  onReviewed: (text: string, reviewId?: string) => void;
}) {
  const view = describeAuditEvent(event);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | undefined>();
  const commentId = `comment-${view.id}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const review = await sendJson<AuditEvent>(
        'POST',
        apiPath('audit', 'AuditEvent/$break-glass-review'),
        {
          resourceType: 'Parameters',
          parameter: [
            { name: 'event', valueReference: { reference: `AuditEvent/${view.id}` } },
            ...(comment.trim() ? [{ name: 'comment', valueString: comment.trim() }] : []),
          ],
        },
      );
      onReviewed(
        `Revue enregistrée pour l’accès de ${view.who} du ${formatDateTime(view.when)}.`,
        review?.id,
      );
    } catch (error) {
      setFailure(failureFrom(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card break-glass">
      <h2>
        {view.who}
        {view.whoId ? ` (${view.whoId})` : ''} — {formatDateTime(view.when)}
      </h2>
      <dl className="details">
        <dt>Patient</dt>
        <dd>{view.patient ?? '—'}</dd>
        <dt>Action</dt>
        <dd>{view.transaction ?? view.action}</dd>
        <dt>Justification</dt>
        <dd className="reason">{view.reason ?? 'Aucune justification enregistrée'}</dd>
      </dl>
      <p>
        <a href={hrefOf('audit-event', view.id)}>Voir l’événement complet</a>
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={commentId}>Commentaire de revue</label>
        <textarea
          id={commentId}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          rows={2}
        />
        <button type="submit" disabled={busy}>
          Marquer comme revu
        </button>
      </form>
      {failure ? <ErrorBox failure={failure} /> : null}
    </li>
  );
}
