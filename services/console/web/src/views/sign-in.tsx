import { useState, type FormEvent } from 'react';
import { getJson, sendJson } from '../api/client';
import type { SessionInfo } from '../api/session';
import { ErrorBox } from '../components/feedback';
import { failureFrom, useLoad } from '../components/use-call';
import { DEV_ACTOR_PRESETS, type DevActor } from '../logic/dev-actors';
import type { Failure } from '../logic/operation-outcome';

interface SignInOptions {
  devIssuer: boolean;
  providers: ('pro' | 'patient')[];
}

const PROVIDER_LABELS = {
  pro: 'Se connecter avec Pro Santé Connect (professionnels, auditeurs)',
  patient: 'Se connecter avec mon identité numérique (patients)',
};

const SIGN_IN_FAILED = 'La connexion n’a pas abouti. Recommencez.';

/** Sign-in: the configured identity providers, and in development the choice of an actor. */
export function SignInView({
  onSignedIn,
  failed,
}: {
  onSignedIn: (session: SessionInfo) => void;
  /**
   * The identity provider's sign-in did not complete (`#/connexion?erreur=…`). Only that it
   * failed is shown, in the console's own words: the address is anyone's to write, so its text
   * is never displayed (the reason is in the console's log).
   */
  failed: boolean;
}) {
  const { state } = useLoad(() => getJson<SignInOptions>('/api/sign-in/options'), 'options');
  const [failure, setFailure] = useState<Failure | undefined>(
    failed ? { status: 401, text: SIGN_IN_FAILED } : undefined,
  );
  const [busy, setBusy] = useState(false);

  const signIn = async (actor: DevActor) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const session = await sendJson<SessionInfo>(
        'POST',
        '/api/sign-in/dev',
        actor,
        'application/json',
      );
      if (session) onSignedIn(session);
    } catch (caught) {
      setFailure(failureFrom(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Connexion</h1>
      {failure ? <ErrorBox failure={failure} /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {state.status === 'done' ? (
        <>
          {state.value.providers.map((provider) => (
            <p key={provider}>
              <a className="button" href={`/auth/oidc/${provider}/login`}>
                {PROVIDER_LABELS[provider]}
              </a>
            </p>
          ))}
          {state.value.devIssuer ? (
            <DevSignIn busy={busy} onChoose={(actor) => void signIn(actor)} />
          ) : null}
          {!state.value.devIssuer && state.value.providers.length === 0 ? (
            <p>Aucun moyen de connexion n’est configuré.</p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function DevSignIn({ busy, onChoose }: { busy: boolean; onChoose: (actor: DevActor) => void }) {
  const [kind, setKind] = useState<DevActor['kind']>('patient');
  const [identifier, setIdentifier] = useState('');
  const [name, setName] = useState('');
  const [reason, setReason] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const actor: DevActor = { kind, ...(name ? { name } : {}) };
    if (kind === 'patient') actor.ins = identifier.trim();
    if (kind === 'practitioner') {
      actor.professional = identifier.trim();
      actor.profession = '10';
      if (reason.trim()) {
        actor.mode = 'bris_de_glace';
        actor.reason = reason.trim();
      } else {
        actor.attestation = 'care_team';
      }
    }
    onChoose(actor);
  };

  return (
    <div className="dev-sign-in">
      <h2>Mode développement : choisir un acteur</h2>
      <p className="hint">
        Le jeton est émis par l’émetteur de développement (<code>AUTH_DEV_ISSUER=true</code>). Ne
        jamais activer en production.
      </p>
      <ul className="actor-list">
        {DEV_ACTOR_PRESETS.map((preset) => (
          <li key={preset.id}>
            <button type="button" disabled={busy} onClick={() => onChoose(preset.actor)}>
              {preset.label}
            </button>
            <span className="hint">{preset.description}</span>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="form-grid" aria-labelledby="other-actor">
        <h3 id="other-actor">Autre acteur</h3>
        <label htmlFor="dev-kind">Type d’acteur</label>
        <select
          id="dev-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as DevActor['kind'])}
        >
          <option value="patient">Patient</option>
          <option value="practitioner">Professionnel de santé</option>
          <option value="auditor">Auditeur</option>
        </select>
        {kind !== 'auditor' ? (
          <>
            <label htmlFor="dev-identifier">
              {kind === 'patient' ? 'INS du patient' : 'Identifiant RPPS (idNat_PS)'}
            </label>
            <input
              id="dev-identifier"
              value={identifier}
              required
              onChange={(e) => setIdentifier(e.target.value)}
            />
          </>
        ) : null}
        <label htmlFor="dev-name">Nom affiché (facultatif)</label>
        <input id="dev-name" value={name} onChange={(e) => setName(e.target.value)} />
        {kind === 'practitioner' ? (
          <>
            <label htmlFor="dev-reason">Justification du bris de glace (facultatif)</label>
            <input id="dev-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </>
        ) : null}
        <button type="submit" disabled={busy}>
          Se connecter
        </button>
      </form>
    </div>
  );
}
