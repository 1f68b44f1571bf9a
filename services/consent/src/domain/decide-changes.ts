import { deny, permit, type Decision, type DecisionInput, type Reason } from './decision';
import { describeChange, rightFor, type ChangeRight } from './document-changes';

/**
 * The rights one subject holds on one document it may see. `decideChanges` checks every change
 * an update makes (or the replacement) against them; the first one missing refuses the whole.
 */
export type Rights = Readonly<Record<ChangeRight, boolean>>;

export function decideChanges(input: DecisionInput, rights: Rights, basis: Reason): Decision {
  const obligations = { excludeLabels: [], notifyPatient: false, auditAs: 'normal' as const };
  if (input.action === 'replace') {
    return rights.author
      ? permit([basis, { code: 'AUTHOR', text: 'The caller is on the author’s side' }], obligations)
      : deny('ONLY_AUTHOR', "Only the author's side may replace this document");
  }
  const changes = input.changes ?? [];
  if (changes.length === 0) return deny('CHANGES_REQUIRED', 'update-metadata names its changes');
  for (const change of changes) {
    const right = rightFor(change);
    if (rights[right]) continue;
    // Archiving is the author's side's for a professional (the patient's own right otherwise).
    return right === 'author' || right === 'archive'
      ? deny('ONLY_AUTHOR', `Only the author's side may make ${describeChange(change)}`)
      : deny('CHANGE_NOT_ALLOWED', `This caller may not make ${describeChange(change)}`);
  }
  return permit([basis], obligations);
}

/** `replace` and `update-metadata`: the actions that change a stored document. */
export function changesDocument(input: DecisionInput): boolean {
  return input.action === 'replace' || input.action === 'update-metadata';
}
