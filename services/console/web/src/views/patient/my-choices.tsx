import type { Bundle, Consent } from 'fhir/r4';
import { useState } from 'react';
import { getJson, sendJson } from '../../api/client';
import type { SessionUser } from '../../api/session';
import { EmptyState, ErrorBox, Notice, Progress } from '../../components/feedback';
import { failureFrom, useLoad } from '../../components/use-call';
import { formatDate } from '../../logic/audit-event-view';
import {
  changeParameters,
  choicesOf,
  warningFor,
  type ChoiceChange,
  type PatientChoices,
} from '../../logic/consent-choices';
import { apiPath, insToken } from '../../logic/fhir-paths';
import type { Failure } from '../../logic/operation-outcome';

const CHANGE_DONE: Record<ChoiceChange['type'], string> = {
  authorize: 'Professionnel autorisé.',
  revoke: 'Autorisation retirée.',
  block: 'Professionnel bloqué.',
  unblock: 'Professionnel débloqué.',
  'emergency-opposition': 'Votre choix sur l’accès en urgence est enregistré.',
  'hide-everything': 'Votre choix sur la visibilité de votre DMP est enregistré.',
};

function isDmpConsent(consent: Consent): boolean {
  return (consent.category ?? []).some((c) =>
    (c.coding ?? []).some((x) => x.code === 'dmp-consent'),
  );
}

/** My choices: authorize, block, emergency opposition, hide everything, with the DMP's warnings. */
export function MyChoicesView({ user }: { user: SessionUser }) {
  const ins = user.ins ?? '';
  const path = apiPath('consent', 'Consent', { 'patient.identifier': insToken(ins) });
  const { state, reload } = useLoad(() => getJson<Bundle>(path), path);
  const [pending, setPending] = useState<{ change: ChoiceChange; warning: string } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [failure, setFailure] = useState<Failure | undefined>();
  const [busy, setBusy] = useState(false);
  const consent =
    state.status === 'done'
      ? (state.value.entry ?? []).map((e) => e.resource as Consent).find(isDmpConsent)
      : undefined;
  const choices = choicesOf(consent);

  const apply = async (change: ChoiceChange) => {
    setBusy(true);
    setPending(undefined);
    setFailure(undefined);
    setMessage(undefined);
    try {
      await sendJson(
        'POST',
        apiPath('consent', 'Consent/$dmp-change'),
        changeParameters(ins, change),
        'application/fhir+json',
        {
          ...(choices.version ? { 'if-match': choices.version } : {}),
        },
      );
      setMessage(CHANGE_DONE[change.type]);
      reload();
    } catch (error) {
      setFailure(failureFrom(error));
    } finally {
      setBusy(false);
    }
  };
  const ask = (change: ChoiceChange) => {
    const warning = warningFor(change, choices);
    if (warning) setPending({ change, warning });
    else void apply(change);
  };

  return (
    <section aria-labelledby="choices-title">
      <h1 id="choices-title">Mes choix</h1>
      {message ? <Notice>{message}</Notice> : null}
      {failure ? <ErrorBox failure={failure} /> : null}
      {state.status === 'loading' ? <Progress label="Chargement de vos choix…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {pending ? (
        <div
          className="warning-box"
          role="alertdialog"
          aria-labelledby="warning-title"
          aria-describedby="warning-text"
        >
          <p id="warning-title" className="status-title">
            Avant de confirmer
          </p>
          <p id="warning-text">{pending.warning}</p>
          <button
            type="button"
            onClick={() => void apply(pending.change)}
            disabled={busy}
            autoFocus
          >
            Confirmer
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setPending(undefined)}>
            Annuler
          </button>
        </div>
      ) : null}
      {state.status === 'done' ? (
        <ChoiceForms choices={choices} busy={busy} onChange={ask} />
      ) : null}
    </section>
  );
}

function ChoiceForms({
  choices,
  busy,
  onChange,
}: {
  choices: PatientChoices;
  busy: boolean;
  onChange: (change: ChoiceChange) => void;
}) {
  const [professional, setProfessional] = useState('');
  const [end, setEnd] = useState('');
  const submit = (type: 'authorize' | 'block') => (event: { preventDefault(): void }) => {
    event.preventDefault();
    const id = professional.trim();
    if (!id) return;
    onChange(
      type === 'authorize'
        ? { type, professional: id, ...(end ? { end } : {}) }
        : { type, professional: id },
    );
  };
  return (
    <>
      <h2>Professionnels bloqués</h2>
      {choices.blocked.length === 0 ? (
        <EmptyState>Vous n’avez bloqué aucun professionnel.</EmptyState>
      ) : null}
      <ul className="plain-list">
        {choices.blocked.map((id) => (
          <li key={id}>
            {id}{' '}
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => onChange({ type: 'unblock', professional: id })}
            >
              Débloquer<span className="visually-hidden"> {id}</span>
            </button>
          </li>
        ))}
      </ul>
      <h2>Professionnels autorisés</h2>
      {choices.authorized.length === 0 ? (
        <EmptyState>Vous n’avez autorisé aucun professionnel en particulier.</EmptyState>
      ) : null}
      <ul className="plain-list">
        {choices.authorized.map((a) => (
          <li key={a.professional}>
            {a.professional}
            {a.end ? ` (jusqu’au ${formatDate(a.end)})` : ''}{' '}
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => onChange({ type: 'revoke', professional: a.professional })}
            >
              Retirer l’autorisation<span className="visually-hidden"> de {a.professional}</span>
            </button>
          </li>
        ))}
      </ul>
      <form
        className="filters"
        onSubmit={submit('block')}
        aria-labelledby="professional-form-title"
      >
        <h3 id="professional-form-title">Bloquer ou autoriser un professionnel</h3>
        <div>
          <label htmlFor="choice-professional">Identifiant du professionnel (RPPS, idNat_PS)</label>
          <input
            id="choice-professional"
            value={professional}
            required
            pattern="[0-9A-Za-z]{1,64}"
            onChange={(e) => setProfessional(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="choice-end">Fin de l’autorisation (facultatif)</label>
          <input id="choice-end" type="date" value={end} onChange={(e) => setEnd(e.target.value)} />
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            Bloquer
          </button>{' '}
          <button type="button" disabled={busy} onClick={submit('authorize')}>
            Autoriser
          </button>
        </div>
      </form>
      <h2>Accès en urgence</h2>
      <p>
        {choices.emergencyOpposition
          ? 'Vous vous opposez à l’accès à votre DMP en urgence.'
          : 'En urgence, un professionnel peut accéder à votre DMP (bris de glace, centre 15).'}
      </p>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          onChange({ type: 'emergency-opposition', value: !choices.emergencyOpposition })
        }
      >
        {choices.emergencyOpposition ? 'Lever mon opposition' : 'M’opposer à l’accès en urgence'}
      </button>
      <h2>Visibilité de tout mon DMP</h2>
      <p>
        {choices.hideEverything
          ? 'Tout votre DMP est masqué à tous les professionnels.'
          : 'Vos documents sont visibles des professionnels habilités, selon vos choix.'}
      </p>
      <button
        type="button"
        disabled={busy}
        onClick={() => onChange({ type: 'hide-everything', value: !choices.hideEverything })}
      >
        {choices.hideEverything ? 'Rendre mon DMP de nouveau visible' : 'Masquer tout mon DMP'}
      </button>
    </>
  );
}
