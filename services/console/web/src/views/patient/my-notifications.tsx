import type { Bundle } from 'fhir/r4';
import type { SessionUser } from '../../api/session';
import { getJson } from '../../api/client';
import { EmptyState, ErrorBox, Progress } from '../../components/feedback';
import { useLoad } from '../../components/use-call';
import { formatDateTime } from '../../logic/audit-event-view';
import { apiPath, insToken } from '../../logic/fhir-paths';
import { notificationsOf } from '../../logic/notifications';

/** My notices (consent `Communication`): emergency accesses and documents soon visible to me. */
export function MyNotificationsView({ user }: { user: SessionUser }) {
  const path = apiPath('consent', 'Communication', {
    'patient.identifier': insToken(user.ins ?? ''),
  });
  const { state } = useLoad(() => getJson<Bundle>(path), path);
  const rows = state.status === 'done' ? notificationsOf(state.value) : [];
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Mes notifications</h1>
      {state.status === 'loading' ? <Progress label="Chargement des notifications…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {state.status === 'done' && rows.length === 0 ? (
        <EmptyState>Vous n’avez aucune notification.</EmptyState>
      ) : null}
      <ul className="cards">
        {rows.map((row) => (
          <li key={row.id} className={`card${row.kind === 'break-glass' ? ' break-glass' : ''}`}>
            <h2>{row.title}</h2>
            <p className="hint">{formatDateTime(row.when)}</p>
            <p>{row.text}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
