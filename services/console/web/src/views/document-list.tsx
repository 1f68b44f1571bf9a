import type { DocumentReference } from 'fhir/r4';
import type { ReactNode } from 'react';
import { documentRow } from '../logic/documents';
import { consolePathOf } from '../logic/fhir-paths';

/** Documents (ITI-67) with their ITI-68 link; `actions` adds buttons per document. */
export function DocumentList({
  documents,
  caption,
  actions,
}: {
  documents: DocumentReference[];
  caption: string;
  actions?: (document: DocumentReference) => ReactNode;
}) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Document</th>
          <th scope="col">Type</th>
          <th scope="col">Date</th>
          <th scope="col">Auteur</th>
          <th scope="col">Visibilité</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {documents.map((document) => {
          const row = documentRow(document);
          return (
            <tr key={row.id}>
              <td>{row.title}</td>
              <td>{row.type}</td>
              <td>{row.date}</td>
              <td>{row.author}</td>
              <td>
                {row.masked ? (
                  <span className="badge badge-refused">Masqué aux professionnels</span>
                ) : (
                  'Visible'
                )}
              </td>
              <td className="row-actions">
                {row.binaryUrl ? (
                  <a href={consolePathOf('documents', row.binaryUrl)} download>
                    Ouvrir ({row.contentType || 'fichier'})
                    <span className="visually-hidden"> : {row.title}</span>
                  </a>
                ) : null}
                {actions?.(document)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
