import type { Parameters } from 'fhir/r4';
import { getJson } from '../../api/client';
import { EmptyState, ErrorBox, Progress } from '../../components/feedback';
import { useLoad } from '../../components/use-call';
import { formatDateTime } from '../../logic/audit-event-view';
import { chainStatusOf, checkpointsOf, reasonText } from '../../logic/chain';
import { apiPath } from '../../logic/fhir-paths';

/** `$verify` and the last signed checkpoint (`$checkpoints`). */
export function ChainView() {
  const verify = useLoad(
    () => getJson<Parameters>(apiPath('audit', 'AuditEvent/$verify')),
    'verify',
  );
  const checkpoints = useLoad(
    () => getJson<Parameters>(apiPath('audit', 'AuditEvent/$checkpoints')),
    'checkpoints',
  );
  const status = verify.state.status === 'done' ? chainStatusOf(verify.state.value) : undefined;
  const signed = checkpoints.state.status === 'done' ? checkpointsOf(checkpoints.state.value) : [];
  const last = signed[0];
  return (
    <section aria-labelledby="chain-title">
      <h1 id="chain-title">Intégrité de la chaîne d’audit</h1>
      {verify.state.status === 'loading' ? (
        <Progress label="Vérification de la chaîne en cours (chaque événement est recalculé)…" />
      ) : null}
      {verify.state.status === 'failed' ? <ErrorBox failure={verify.state.failure} /> : null}
      {status ? (
        <div className={status.ok ? 'status-ok' : 'status-broken'} role="status">
          <p className="status-title">{status.ok ? 'Chaîne vérifiée' : 'Chaîne rompue'}</p>
          <p>
            {status.verified} événement(s) vérifié(s) sur {status.total}
            {status.headSeq !== undefined ? `, dernier numéro ${status.headSeq}` : ''}.
          </p>
          {status.firstBrokenSeq !== undefined ? (
            <p>
              Premier événement en défaut : n° {status.firstBrokenSeq}
              {status.reason ? ` — ${reasonText(status.reason)}` : ''}.
            </p>
          ) : null}
          {status.badSignatures.length > 0 ? (
            <p>Signature invalide des points de contrôle : {status.badSignatures.join(', ')}.</p>
          ) : null}
          {status.headHash ? <p className="hash">Empreinte de tête : {status.headHash}</p> : null}
        </div>
      ) : null}
      <button type="button" className="secondary" onClick={verify.reload}>
        Vérifier à nouveau
      </button>
      <h2>Dernier point de contrôle signé</h2>
      {checkpoints.state.status === 'failed' ? (
        <ErrorBox failure={checkpoints.state.failure} />
      ) : null}
      {checkpoints.state.status === 'done' && !last ? (
        <EmptyState>Aucun point de contrôle n’a encore été signé.</EmptyState>
      ) : null}
      {last ? (
        <dl className="details">
          <dt>Numéro</dt>
          <dd>{last.seq}</dd>
          <dt>Signé le</dt>
          <dd>{formatDateTime(last.time)}</dd>
          <dt>Empreinte</dt>
          <dd className="hash">{last.hash}</dd>
          <dt>Points de contrôle</dt>
          <dd>{signed.length}</dd>
        </dl>
      ) : null}
    </section>
  );
}
