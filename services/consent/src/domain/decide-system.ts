import { changesDocument, decideChanges } from './decide-changes';
import {
  deny,
  isAuthorSide,
  permit,
  submitterOf,
  type Decision,
  type DecisionInput,
} from './decision';

const OWN = { author: true, mask: true, announce: true, representatives: true, archive: true };

/**
 * Software authenticated by a structure certificate, without an individual user (F.5.4,
 * TD3.1b): may feed, and find and manage its own documents (those it submitted, or authored in
 * its establishment); never consult anyone else's, never break glass.
 */
export function decideForSystem(input: DecisionInput): Decision {
  const { subject, action, document } = input;
  if (subject.accessMode !== 'normal') {
    return deny('EMERGENCY_NOT_FOR_SYSTEM', 'Emergency access needs an individual professional');
  }
  const obligations = { excludeLabels: [], notifyPatient: false, auditAs: 'normal' as const };
  switch (action) {
    case 'create':
      return permit([{ code: 'FEEDING', text: 'Feeding by a structure' }], obligations);
    case 'search':
      return permit([{ code: 'OWN_SUBMISSIONS', text: 'Its own submissions only (TD3.1b)' }], {
        ...obligations,
        submittedBy: submitterOf(subject),
      });
    case 'read':
      return isAuthorSide(subject, document)
        ? permit([{ code: 'OWN_DOCUMENT', text: 'A document of this structure' }], obligations)
        : deny('SYSTEM_CANNOT_CONSULT', 'A structure certificate alone cannot consult the DMP');
    case 'replace':
    case 'update-metadata':
      if (!document) return deny('DOCUMENT_REQUIRED', `${action} needs the document`);
      if (!changesDocument(input) || !isAuthorSide(subject, document)) {
        return deny('ONLY_AUTHOR', `Only the author's structure may ${action} this document`);
      }
      return decideChanges(input, OWN, {
        code: 'OWN_DOCUMENT',
        text: 'A document of this structure',
      });
  }
}
