import { matrixAllows } from './access-policy';
import { changesDocument, decideChanges } from './decide-changes';
import {
  deny,
  isAuthorSide,
  permit,
  type Decision,
  type DecisionInput,
  type DocumentFacts,
  type Obligations,
  type Reason,
  type SubjectFacts,
} from './decision';
import { isAuthorizationActive } from './preferences';
import { MASKED_FROM_PROFESSIONALS } from './vocabulary';

/** The depositing professional or establishment keeps seeing a masked document (C3.1). */
function depositedBy(subject: SubjectFacts, document: DocumentFacts): boolean {
  if (isAuthorSide(subject, document)) return true;
  return (
    subject.organizationId !== undefined &&
    document.authorOrganizations.includes(subject.organizationId)
  );
}

/** Why a professional may consult in normal mode, or undefined (C1.1, C1.2, C1.5). */
function consultationBasis(input: DecisionInput): Reason | undefined {
  const { subject, dmp, now } = input;
  const preferences = dmp.preferences;
  if (preferences.attendingPhysician === subject.id) {
    return { code: 'ATTENDING_PHYSICIAN', text: 'Médecin traitant of the patient' };
  }
  if (preferences.delegates.includes(subject.id)) {
    return { code: 'ATTENDING_PHYSICIAN_DELEGATE', text: '"Médecin traitant DMP" delegate' };
  }
  const authorized = preferences.authorized.find((a) => a.professional === subject.id);
  if (authorized && isAuthorizationActive(authorized, now)) {
    return { code: 'PATIENT_AUTHORIZATION', text: 'Authorized by the patient' };
  }
  if (subject.attestation === 'care_team') {
    return { code: 'CARE_TEAM', text: 'Care-team membership attested, patient informed' };
  }
  if (subject.attestation === 'consent') {
    return { code: 'EXPLICIT_CONSENT', text: 'Patient consent collected and attested' };
  }
  return undefined;
}

/** Emergency modes (C2): who may use them, and the opposition that beats them. */
function emergencyBasis(input: DecisionInput): Decision | Reason {
  const { subject, dmp, policy } = input;
  if (dmp.preferences.emergencyOpposition) {
    return deny('EMERGENCY_ACCESS_OPPOSED', 'The patient objected to emergency access');
  }
  if (subject.accessMode === 'bris_de_glace') {
    if (!subject.profession || !policy.breakGlass.professions.includes(subject.profession)) {
      return deny('BREAK_GLASS_NOT_ALLOWED', 'This profession may not break glass');
    }
    if (!subject.accessReason || subject.accessReason.trim() === '') {
      return deny('BREAK_GLASS_REASON_MISSING', 'Break-glass needs a written reason');
    }
    return { code: 'BREAK_GLASS', text: 'Emergency access (bris de glace)' };
  }
  const regulating =
    subject.profession !== undefined && policy.regulation.professions.includes(subject.profession);
  if (!regulating || subject.attestation !== 'regulation') {
    return deny('REGULATION_NOT_ALLOWED', 'Only a regulating doctor of a centre 15 may do this');
  }
  return { code: 'MEDICAL_REGULATION', text: 'SAMU centre 15 medical regulation' };
}

/**
 * A health professional (SPEC C.7 steps 3–8). Precedence: block > opposition (emergency
 * opposition, hide-everything) > mask > permit. Authorizations govern reads only (C1.8): feeding
 * needs an attestation or authorization. Changing a stored document needs to see it first (the
 * author's side sees its own without a basis, C1.9), in normal mode; then each change its right:
 * status and confidentiality for the author's side, masking and visibility flags for whoever
 * sees it (on the patient's behalf), archiving for the author's side.
 */
export function decideForProfessional(input: DecisionInput): Decision {
  const { subject, action, document, dmp } = input;
  const preferences = dmp.preferences;
  if (preferences.blocked.includes(subject.id)) {
    return deny('PROFESSIONAL_BLOCKED', 'The patient blocked this professional');
  }
  if (action === 'create') {
    const basis = consultationBasis(input);
    return basis
      ? permit([basis, { code: 'FEEDING', text: 'Feeding the DMP' }], {
          excludeLabels: [],
          notifyPatient: false,
          auditAs: 'normal',
        })
      : deny('NO_ATTESTATION', 'Feeding needs a care-team or consent attestation');
  }
  if (!changesDocument(input)) return decideRead(input);
  if (subject.accessMode !== 'normal') {
    return deny('EMERGENCY_READ_ONLY', 'Emergency access reads; it changes nothing');
  }
  if (!document) return deny('DOCUMENT_REQUIRED', `${action} needs the document`);
  const author = isAuthorSide(subject, document);
  if (preferences.hideEverything) {
    return deny('PATIENT_HID_EVERYTHING', 'The patient hid the whole DMP from professionals');
  }
  const seen = decideRead({ ...input, action: 'read' });
  const [basis] = seen.reasons;
  if (!seen.permit || !basis) return seen;
  return decideChanges(
    input,
    { author, mask: true, announce: true, representatives: true, archive: author },
    basis,
  );
}

/** A professional's consultation (read or search), SPEC C.7 steps 6–8. */
function decideRead(input: DecisionInput): Decision {
  const { subject, document, dmp, policy } = input;
  const preferences = dmp.preferences;
  const base = { excludeLabels: [], notifyPatient: false, auditAs: 'normal' as const };
  if (preferences.hideEverything) {
    return deny('PATIENT_HID_EVERYTHING', 'The patient hid the whole DMP from professionals');
  }
  // Their own document, in normal mode: its author holds it already (C1.9, C3.1).
  if (document && subject.accessMode === 'normal' && isAuthorSide(subject, document)) {
    return permit([{ code: 'AUTHOR', text: 'The caller is on the author’s side' }], base);
  }
  let basis: Reason | undefined;
  if (subject.accessMode === 'normal') {
    basis = consultationBasis(input);
    if (!basis) {
      return deny('NO_ATTESTATION', 'Consultation needs a care-team or consent attestation');
    }
  } else {
    const emergency = emergencyBasis(input);
    if ('permit' in emergency) return emergency;
    basis = emergency;
  }
  const entry = subject.profession === undefined ? undefined : policy.matrix[subject.profession];
  if (!entry) return deny('PROFESSION_NOT_IN_MATRIX', 'The profession matrix grants nothing');
  if (document && !matrixAllows(entry, document.classCode, document.typeCode)) {
    return deny('MATRIX_FORBIDS_DOCUMENT', 'The profession matrix excludes this document');
  }
  const seesMasked =
    preferences.attendingPhysician === subject.id || preferences.delegates.includes(subject.id);
  if (
    document &&
    !seesMasked &&
    document.labels.includes(MASKED_FROM_PROFESSIONALS) &&
    !depositedBy(subject, document)
  ) {
    // Neutral: the patient, or a professional on the patient's behalf or the author, may have
    // set MASQUE_PS (TD3.3a); the label does not say who.
    return deny('DOCUMENT_MASKED', 'This document is masked from professionals (MASQUE_PS)');
  }
  const obligations: Obligations = {
    ...base,
    allowedClasses: entry.classes,
    allowedTypes: entry.types,
  };
  if (!seesMasked) {
    obligations.excludeLabels = [MASKED_FROM_PROFESSIONALS];
    obligations.authorException = {
      professional: subject.id,
      ...(subject.organizationId ? { organization: subject.organizationId } : {}),
    };
  }
  if (subject.accessMode !== 'normal') {
    obligations.emergency = subject.accessMode;
    obligations.notifyPatient = true;
    obligations.auditAs = subject.accessMode;
  }
  return permit([basis], obligations);
}
