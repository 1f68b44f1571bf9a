import type { Parameters } from 'fhir/r4';
import { useState } from 'react';
import { getJson } from '../../api/client';
import { EmptyState, ErrorBox, Progress } from '../../components/feedback';
import { useLoad } from '../../components/use-call';
import { formatDateTime } from '../../logic/audit-event-view';
import { apiPath, consolePathOf } from '../../logic/fhir-paths';
import { historyOf, howText, whatText } from '../../logic/history';

const FIRST = apiPath('audit', 'AuditEvent/$patient-history', { _count: '50' });

/** Who accessed my DMP (`$patient-history`): break-glass and centre 15 highlighted. */
export function MyHistoryView() {
  const [pages, setPages] = useState<string[]>([FIRST]);
  const path = pages[pages.length - 1] ?? FIRST;
  const { state } = useLoad(() => getJson<Parameters>(path), path);
  const history = state.status === 'done' ? historyOf(state.value) : undefined;
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">Historique des accès à mon DMP</h1>
      {state.status === 'loading' ? <Progress label="Chargement de l’historique…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {history && history.lines.length === 0 ? (
        <EmptyState>Personne n’a encore accédé à votre DMP.</EmptyState>
      ) : null}
      {history && history.lines.length > 0 ? (
        <table>
          <caption>Accès à votre DMP, du plus récent au plus ancien</caption>
          <thead>
            <tr>
              <th scope="col">Quand</th>
              <th scope="col">Qui</th>
              <th scope="col">Action</th>
              <th scope="col">Document</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {history.lines.map((line, index) => (
              <tr
                key={`${line.when}-${index}`}
                className={line.highlighted ? 'break-glass' : undefined}
              >
                <td>{formatDateTime(line.when)}</td>
                <td>
                  {line.who ?? 'Non précisé'}
                  {line.profession ? <span className="hint"> — {line.profession}</span> : null}
                  {line.organization ? <span className="hint"> — {line.organization}</span> : null}
                </td>
                <td>{whatText(line.what)}</td>
                <td>{line.document ?? '—'}</td>
                <td>
                  {line.highlighted ? (
                    <span className="badge badge-alert">{howText(line.how)}</span>
                  ) : (
                    howText(line.how)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="pager">
        {pages.length > 1 ? (
          <button type="button" className="secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Accès plus récents
          </button>
        ) : null}
        {history?.next ? (
          <button
            type="button"
            onClick={() => setPages([...pages, consolePathOf('audit', history.next ?? '')])}
          >
            Accès plus anciens
          </button>
        ) : null}
      </div>
    </section>
  );
}
