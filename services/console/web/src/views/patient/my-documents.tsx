import type { Bundle, DocumentReference } from 'fhir/r4';
import { useState } from 'react';
import { getJson, sendJson } from '../../api/client';
import type { SessionUser } from '../../api/session';
import { EmptyState, ErrorBox, Notice, Progress } from '../../components/feedback';
import { failureFrom, useLoad } from '../../components/use-call';
import { MASK_NOTICE } from '../../logic/consent-choices';
import { documentRow, documentsOf, maskPatch, unmaskPatch } from '../../logic/documents';
import { apiPath, insToken } from '../../logic/fhir-paths';
import type { Failure } from '../../logic/operation-outcome';
import { DocumentList } from '../document-list';

/** ITI-67 for the patient's own INS; open (ITI-68), mask or unmask each document (PDSm PATCH). */
export function MyDocumentsView({ user }: { user: SessionUser }) {
  const ins = user.ins ?? '';
  const path = apiPath('documents', 'DocumentReference', {
    'patient.identifier': insToken(ins),
    status: 'current',
    _count: '100',
  });
  const { state, reload } = useLoad(() => getJson<Bundle>(path), path);
  const [message, setMessage] = useState<string | undefined>();
  const [failure, setFailure] = useState<Failure | undefined>();
  const [busy, setBusy] = useState<string | undefined>();

  const update = async (document: DocumentReference, mask: boolean) => {
    const row = documentRow(document);
    const patch = mask ? maskPatch() : unmaskPatch(document);
    if (!patch) return;
    setBusy(row.id);
    setFailure(undefined);
    setMessage(undefined);
    try {
      await sendJson(
        'PATCH',
        apiPath('documents', `DocumentReference/${row.id}`),
        patch,
        'application/json-patch+json',
        {
          ...(row.version ? { 'if-match': row.version } : {}),
        },
      );
      setMessage(
        mask
          ? `« ${row.title} » est masqué aux professionnels.`
          : `« ${row.title} » est de nouveau visible.`,
      );
      reload();
    } catch (error) {
      setFailure(failureFrom(error));
    } finally {
      setBusy(undefined);
    }
  };

  const documents = state.status === 'done' ? documentsOf(state.value) : [];
  return (
    <section aria-labelledby="my-documents-title">
      <h1 id="my-documents-title">Mes documents</h1>
      <p className="hint">{MASK_NOTICE}</p>
      {message ? <Notice>{message}</Notice> : null}
      {failure ? <ErrorBox failure={failure} /> : null}
      {state.status === 'loading' ? <Progress label="Chargement de vos documents…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {state.status === 'done' && documents.length === 0 ? (
        <EmptyState>Votre DMP ne contient aucun document pour l’instant.</EmptyState>
      ) : null}
      {documents.length > 0 ? (
        <DocumentList
          documents={documents}
          caption="Vos documents, du plus récent au plus ancien"
          actions={(document) => {
            const row = documentRow(document);
            return (
              <button
                type="button"
                className="secondary"
                disabled={busy === row.id}
                onClick={() => void update(document, !row.masked)}
              >
                {row.masked ? 'Démasquer' : 'Masquer aux professionnels'}
                <span className="visually-hidden"> : {row.title}</span>
              </button>
            );
          }}
        />
      ) : null}
    </section>
  );
}
