import type { AuditEvent } from 'fhir/r4';
import { getJson } from '../../api/client';
import { ErrorBox, Progress } from '../../components/feedback';
import { useLoad } from '../../components/use-call';
import { describeAuditEvent, formatDateTime } from '../../logic/audit-event-view';
import { apiPath } from '../../logic/fhir-paths';
import { hrefOf } from '../../logic/routes';

/** One AuditEvent told readably, with the raw resource a click away. */
export function AuditEventView({ id }: { id: string }) {
  const { state } = useLoad(() => getJson<AuditEvent>(apiPath('audit', `AuditEvent/${id}`)), id);
  return (
    <section aria-labelledby="event-title">
      <h1 id="event-title">Événement de la trace</h1>
      <p>
        <a href={hrefOf('audit-search')}>Retour à la recherche</a>
      </p>
      {state.status === 'loading' ? <Progress label="Chargement de l’événement…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {state.status === 'done' ? <EventDetails event={state.value} /> : null}
    </section>
  );
}

export function EventDetails({ event }: { event: AuditEvent }) {
  const view = describeAuditEvent(event);
  return (
    <>
      {view.breakGlass ? (
        <p className="alert-banner">Accès en mode bris de glace : à revoir par un auditeur.</p>
      ) : null}
      <dl className="details">
        <dt>Quand</dt>
        <dd>{formatDateTime(view.when)}</dd>
        <dt>Qui</dt>
        <dd>
          {view.who}
          {view.whoId ? ` (${view.whoId})` : ''}
          {view.profession ? ` — ${view.profession}` : ''}
        </dd>
        <dt>Quoi</dt>
        <dd>
          {view.action}
          {view.transaction ? ` — ${view.transaction}` : ''}
        </dd>
        <dt>Résultat</dt>
        <dd>
          {view.outcomeText}
          {view.outcomeDetail ? ` : ${view.outcomeDetail}` : ''}
        </dd>
        <dt>Patient</dt>
        <dd>{view.patient ?? 'Aucun'}</dd>
        <dt>Quel document</dt>
        <dd>{view.documents.length > 0 ? view.documents.join(', ') : 'Aucun document précis'}</dd>
        <dt>D’où</dt>
        <dd>{view.from}</dd>
        <dt>Pourquoi</dt>
        <dd>{view.why}</dd>
        {view.reason ? (
          <>
            <dt>Justification</dt>
            <dd>{view.reason}</dd>
          </>
        ) : null}
      </dl>
      <details>
        <summary>Voir l’AuditEvent brut (JSON FHIR)</summary>
        <pre tabIndex={0} aria-label="AuditEvent brut">
          {JSON.stringify(event, null, 2)}
        </pre>
      </details>
    </>
  );
}
