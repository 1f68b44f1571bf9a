import { changesDocument, decideChanges } from './decide-changes';
import {
  deny,
  invisiblePatientCutoff,
  isAuthorSide,
  permit,
  type Decision,
  type DecisionInput,
  type DocumentFacts,
  type Obligations,
  type Reason,
} from './decision';
import { INVISIBLE_TO_PATIENT, INVISIBLE_TO_REPRESENTATIVES, isReadAction } from './vocabulary';

/** Why the holder (or their representative) may not see this document, if they may not. */
function hiddenFromHolder(input: DecisionInput, document: DocumentFacts): Decision | undefined {
  const cutoff = invisiblePatientCutoff(input.now);
  const stillInvisible =
    document.labels.includes(INVISIBLE_TO_PATIENT) &&
    (document.depositDate === undefined || Date.parse(document.depositDate) > cutoff.getTime());
  if (stillInvisible) {
    return deny(
      'DOCUMENT_INVISIBLE_TO_PATIENT',
      'The document awaits an announcement consultation (at most one month after deposit)',
    );
  }
  if (input.subject.legalRepresentative && document.labels.includes(INVISIBLE_TO_REPRESENTATIVES)) {
    return deny(
      'DOCUMENT_INVISIBLE_TO_REPRESENTATIVES',
      'The document is hidden from legal representatives',
    );
  }
  return undefined;
}

/**
 * The holder (or their legal representative) of the DMP (SPEC C.7 step 2, C3.4, C3.5, C4):
 * reads everything but `INVISIBLE_PATIENT` documents younger than one month and, for a
 * representative, `INVISIBLE_REPRESENTANTS_LEGAUX` ones; adds documents; on a document they may
 * see, masks and unmasks it, archives it, hides it from their representatives (not as one), and
 * changes its status only when they authored it. `INVISIBLE_PATIENT` is never theirs to change.
 */
export function decideForPatient(input: DecisionInput, holder: boolean): Decision {
  const { subject, action, document, now } = input;
  if (!holder) return deny('NOT_THE_HOLDER', 'A patient may only access their own DMP');
  const basis: Reason = subject.legalRepresentative
    ? { code: 'LEGAL_REPRESENTATIVE', text: 'Legal representative of the holder' }
    : { code: 'HOLDER', text: 'The holder of the DMP' };
  if (isReadAction(action)) {
    const hidden = document ? hiddenFromHolder(input, document) : undefined;
    if (hidden) return hidden;
    const obligations: Obligations = {
      excludeLabels: subject.legalRepresentative
        ? [INVISIBLE_TO_PATIENT, INVISIBLE_TO_REPRESENTATIVES]
        : [INVISIBLE_TO_PATIENT],
      invisiblePatientCutoff: invisiblePatientCutoff(now).toISOString(),
      notifyPatient: false,
      auditAs: 'normal',
    };
    return permit([basis], obligations);
  }
  if (action === 'create') {
    return permit([basis], { excludeLabels: [], notifyPatient: false, auditAs: 'normal' });
  }
  if (!document || !changesDocument(input)) {
    return deny('DOCUMENT_REQUIRED', `${action} needs the document`);
  }
  const hidden = hiddenFromHolder(input, document);
  if (hidden) return hidden;
  const author = isAuthorSide(subject, document);
  return decideChanges(
    input,
    {
      author,
      mask: true,
      announce: false,
      representatives: !subject.legalRepresentative,
      archive: true,
    },
    basis,
  );
}
