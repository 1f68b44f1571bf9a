import {
  INVISIBLE_TO_PATIENT,
  INVISIBLE_TO_REPRESENTATIVES,
  MASKED_FROM_PROFESSIONALS,
} from './vocabulary';

/**
 * One change a PDSm metadata update makes to a document, as the documents service describes it:
 * `status:<status>`, `label-add:<code>`, `label-remove:<code>`, `archive`, `unarchive`.
 */
export type DocumentChange =
  | { kind: 'status'; to: 'current' | 'superseded' | 'entered-in-error' }
  | { kind: 'label'; added: boolean; code: string }
  | { kind: 'archive'; archived: boolean };

const STATUSES = ['current', 'superseded', 'entered-in-error'] as const;

/** Parses one change code; undefined when it is not one. */
export function parseChange(text: string): DocumentChange | undefined {
  if (text === 'archive' || text === 'unarchive') {
    return { kind: 'archive', archived: text === 'archive' };
  }
  const [verb, value] = [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)];
  if (verb === 'status') {
    const to = STATUSES.find((status) => status === value);
    return to ? { kind: 'status', to } : undefined;
  }
  if ((verb === 'label-add' || verb === 'label-remove') && /^[^\s:]{1,64}$/.test(value)) {
    return { kind: 'label', added: verb === 'label-add', code: value };
  }
  return undefined;
}

/**
 * The right a change needs (SPEC C1.9, C3.1–C3.5, TD3.3a–d):
 * - `author`: status (deletion, supersession) and confidentiality codes: the author's side only;
 * - `mask`: MASQUE_PS, set or lifted by the patient, or by a professional on their behalf;
 * - `announce`: INVISIBLE_PATIENT, a professional's decision (never the patient's);
 * - `representatives`: INVISIBLE_REPRESENTANTS_LEGAUX, the patient themself (not a
 *   representative) or a professional;
 * - `archive`: isArchived, the patient or the author's side.
 */
export type ChangeRight = 'author' | 'mask' | 'announce' | 'representatives' | 'archive';

export function rightFor(change: DocumentChange): ChangeRight {
  switch (change.kind) {
    case 'status':
      return 'author';
    case 'archive':
      return 'archive';
    case 'label':
      if (change.code === MASKED_FROM_PROFESSIONALS) return 'mask';
      if (change.code === INVISIBLE_TO_PATIENT) return 'announce';
      if (change.code === INVISIBLE_TO_REPRESENTATIVES) return 'representatives';
      return 'author';
  }
}

/** The code of a change, for reasons and audit text. */
export function describeChange(change: DocumentChange): string {
  switch (change.kind) {
    case 'status':
      return `status:${change.to}`;
    case 'archive':
      return change.archived ? 'archive' : 'unarchive';
    case 'label':
      return `label-${change.added ? 'add' : 'remove'}:${change.code}`;
  }
}
