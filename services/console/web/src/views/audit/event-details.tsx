import type { AuditEvent } from 'fhir/r4';
import { describeAuditEvent, formatDateTime } from '../../logic/audit-event-view';

/** One AuditEvent told readably (who, what, which document, from where, why), raw JSON a click away. */
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
