import type { DocumentReference } from 'fhir/r4';
import { IS_ARCHIVED_URL } from './constants';
import { securityLabelCodes } from './security-labels';

/**
 * One change a PDSm metadata update makes, in the decision API's vocabulary:
 * `status:<new status>`, `label-add:<code>`, `label-remove:<code>`, `archive`, `unarchive`.
 * Who may make which change is the consent service's rule; this only says what changed.
 */
export type MetadataChange = string;

function archived(document: DocumentReference): boolean {
  return (document.extension ?? []).some(
    (e) => e.url === IS_ARCHIVED_URL && e.valueBoolean === true,
  );
}

/** The changes from `before` to `after` (status, security labels, isArchived). */
export function metadataChanges(
  before: DocumentReference,
  after: DocumentReference,
): MetadataChange[] {
  const changes: MetadataChange[] = [];
  if (after.status !== before.status) changes.push(`status:${after.status}`);
  const old = new Set(securityLabelCodes(before.securityLabel ?? []));
  const now = new Set(securityLabelCodes(after.securityLabel ?? []));
  for (const code of now) if (!old.has(code)) changes.push(`label-add:${code}`);
  for (const code of old) if (!now.has(code)) changes.push(`label-remove:${code}`);
  if (archived(after) !== archived(before)) changes.push(archived(after) ? 'archive' : 'unarchive');
  return changes;
}
