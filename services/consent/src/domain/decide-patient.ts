import {
  deny,
  invisiblePatientCutoff,
  isAuthorOf,
  permit,
  type Decision,
  type DecisionInput,
  type Obligations,
} from './decision';
import { INVISIBLE_TO_PATIENT, INVISIBLE_TO_REPRESENTATIVES, isReadAction } from './vocabulary';

/**
 * The holder (or their legal representative) of the DMP (SPEC C.7 step 2, C3.4, C3.5, C4):
 * reads everything but `INVISIBLE_PATIENT` documents younger than one month and, for a
 * representative, `INVISIBLE_REPRESENTANTS_LEGAUX` ones; adds documents and manages labels;
 * deletes only what they authored.
 */
export function decideForPatient(input: DecisionInput, holder: boolean): Decision {
  const { subject, action, document, now } = input;
  if (!holder) return deny('NOT_THE_HOLDER', 'A patient may only access their own DMP');
  const basis = subject.legalRepresentative
    ? { code: 'LEGAL_REPRESENTATIVE', text: 'Legal representative of the holder' }
    : { code: 'HOLDER', text: 'The holder of the DMP' };
  const cutoff = invisiblePatientCutoff(now);
  const obligations: Obligations = {
    excludeLabels: [],
    notifyPatient: false,
    auditAs: 'normal',
  };
  if (isReadAction(action)) {
    obligations.excludeLabels = subject.legalRepresentative
      ? [INVISIBLE_TO_PATIENT, INVISIBLE_TO_REPRESENTATIVES]
      : [INVISIBLE_TO_PATIENT];
    obligations.invisiblePatientCutoff = cutoff.toISOString();
    if (document) {
      const stillInvisible =
        document.labels.includes(INVISIBLE_TO_PATIENT) &&
        (document.depositDate === undefined || Date.parse(document.depositDate) > cutoff.getTime());
      if (stillInvisible) {
        return deny(
          'DOCUMENT_INVISIBLE_TO_PATIENT',
          'The document awaits an announcement consultation (at most one month after deposit)',
        );
      }
      if (subject.legalRepresentative && document.labels.includes(INVISIBLE_TO_REPRESENTATIVES)) {
        return deny(
          'DOCUMENT_INVISIBLE_TO_REPRESENTATIVES',
          'The document is hidden from legal representatives',
        );
      }
    }
    return permit([basis], obligations);
  }
  if (action === 'create' || action === 'update-metadata' || action === 'archive') {
    return permit([basis], obligations);
  }
  if (!document) return deny('DOCUMENT_REQUIRED', `${action} needs the document's author`);
  if (isAuthorOf(subject, document)) {
    return permit(
      [basis, { code: 'AUTHOR', text: 'The caller authored the document' }],
      obligations,
    );
  }
  return deny('ONLY_AUTHOR', `Only the author may ${action} this document`);
}
