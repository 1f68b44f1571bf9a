import type { AuditEvent } from 'fhir/r4';
import { describeAuditEvent, formatDateTime } from '../../logic/audit-event-view';
import { hrefOf } from '../../logic/routes';

/** A page of AuditEvents, newest first; each row opens the event. */
export function EventTable({ events, caption }: { events: AuditEvent[]; caption: string }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Qui</th>
          <th scope="col">Quoi</th>
          <th scope="col">Patient</th>
          <th scope="col">Résultat</th>
          <th scope="col">Détail</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const view = describeAuditEvent(event);
          return (
            <tr key={view.id} className={view.breakGlass ? 'break-glass' : undefined}>
              <td>{formatDateTime(view.when)}</td>
              <td>
                {view.who}
                {view.whoId && view.whoId !== view.who ? (
                  <span className="hint"> ({view.whoId})</span>
                ) : null}
              </td>
              <td>
                {view.transaction ?? view.action}
                {view.breakGlass ? <span className="badge badge-alert">Bris de glace</span> : null}
              </td>
              <td>{view.patient ?? '—'}</td>
              <td>
                <span className={`badge badge-${view.outcome}`}>{view.outcomeText}</span>
              </td>
              <td>
                <a href={hrefOf('audit-event', view.id)}>
                  Voir
                  <span className="visually-hidden">
                    {' '}
                    l’événement du {formatDateTime(view.when)}
                  </span>
                </a>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
