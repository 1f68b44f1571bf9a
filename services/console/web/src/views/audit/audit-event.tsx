import type { AuditEvent } from 'fhir/r4';
import { getJson } from '../../api/client';
import { ErrorBox, Progress } from '../../components/feedback';
import { useLoad } from '../../components/use-call';
import { apiPath } from '../../logic/fhir-paths';
import { hrefOf } from '../../logic/routes';
import { EventDetails } from './event-details';

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
