import type { Bundle } from 'fhir/r4';
import { useState, type FormEvent } from 'react';
import { getJson } from '../../api/client';
import type { SessionUser } from '../../api/session';
import { EmptyState, ErrorBox, Progress } from '../../components/feedback';
import { useLoad } from '../../components/use-call';
import { documentsOf } from '../../logic/documents';
import { apiPath, insToken, isValidIns } from '../../logic/fhir-paths';
import { DocumentList } from '../document-list';

/** A professional searches a patient's documents (ITI-67) and opens them (ITI-68). */
export function PatientDocumentsView({ user }: { user: SessionUser }) {
  const [ins, setIns] = useState('');
  const [searched, setSearched] = useState<string | undefined>();
  const [invalid, setInvalid] = useState(false);
  const [round, setRound] = useState(0);
  const path = searched
    ? apiPath('documents', 'DocumentReference', {
        'patient.identifier': insToken(searched),
        status: 'current',
      })
    : undefined;
  const { state } = useLoad(
    path ? () => getJson<Bundle>(path) : undefined,
    `${path ?? ''}#${round}`,
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = ins.trim();
    setInvalid(!isValidIns(value));
    if (isValidIns(value)) {
      setSearched(value);
      setRound((n) => n + 1);
    }
  };
  const documents = state.status === 'done' ? documentsOf(state.value) : [];
  return (
    <section aria-labelledby="pro-title">
      <h1 id="pro-title">Documents d’un patient</h1>
      <p className="hint">
        Connecté en tant que {user.name} ({user.subject}).
      </p>
      <form className="filters" onSubmit={submit}>
        <div>
          <label htmlFor="pro-ins">INS du patient</label>
          <input
            id="pro-ins"
            value={ins}
            required
            inputMode="numeric"
            aria-invalid={invalid}
            aria-describedby={invalid ? 'pro-ins-error' : undefined}
            onChange={(e) => setIns(e.target.value)}
          />
          {invalid ? (
            <p id="pro-ins-error" className="field-error">
              Cet INS n’est pas valide (15 caractères, clé de contrôle).
            </p>
          ) : null}
        </div>
        <div className="actions">
          <button type="submit">Rechercher</button>
        </div>
      </form>
      {state.status === 'loading' ? <Progress label="Recherche des documents…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {state.status === 'done' && documents.length === 0 ? (
        <EmptyState>Aucun document de ce patient ne vous est accessible.</EmptyState>
      ) : null}
      {documents.length > 0 ? (
        <DocumentList documents={documents} caption={`Documents du patient ${searched ?? ''}`} />
      ) : null}
    </section>
  );
}
