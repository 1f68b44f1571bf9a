import { matrixAllows } from './access-policy';
import {
  deny,
  permit,
  type Decision,
  type DecisionInput,
  type DocumentFacts,
  type Obligations,
  type Reason,
  type SubjectFacts,
} from './decision';
import { isAuthorizationActive } from './preferences';
import { isReadAction, MASKED_FROM_PROFESSIONALS } from './vocabulary';

function authoredBy(subject: SubjectFacts, document: DocumentFacts | undefined): boolean {
  return document?.authorId !== undefined && document.authorId === subject.id;
}

/** The depositing professional or establishment keeps seeing a masked document (C3.1). */
function depositedBy(subject: SubjectFacts, document: DocumentFacts): boolean {
  if (authoredBy(subject, document)) return true;
  return (
    subject.organizationId !== undefined && document.authorOrganizationId === subject.organizationId
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
 * needs an attestation or authorization, deleting needs authorship (C1.9).
 */
export function decideForProfessional(input: DecisionInput): Decision {
  const { subject, action, document, dmp, policy } = input;
  const preferences = dmp.preferences;
  if (preferences.blocked.includes(subject.id)) {
    return deny('PROFESSIONAL_BLOCKED', 'The patient blocked this professional');
  }
  const base = { excludeLabels: [], notifyPatient: false, auditAs: 'normal' as const };
  if (action === 'delete') {
    if (!document) return deny('DOCUMENT_REQUIRED', "delete needs the document's author");
    return authoredBy(subject, document)
      ? permit([{ code: 'AUTHOR', text: 'The caller authored the document' }], base)
      : deny('ONLY_AUTHOR', 'Only the author may delete this document');
  }
  if (!isReadAction(action)) {
    if (action !== 'create' && authoredBy(subject, document)) {
      return permit([{ code: 'AUTHOR', text: 'The caller authored the document' }], base);
    }
    const basis = consultationBasis(input);
    return basis
      ? permit([basis, { code: 'FEEDING', text: 'Feeding the DMP' }], base)
      : deny('NO_ATTESTATION', 'Feeding needs a care-team or consent attestation');
  }
  if (preferences.hideEverything) {
    return deny('PATIENT_HID_EVERYTHING', 'The patient hid the whole DMP from professionals');
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
    return deny('DOCUMENT_MASKED', 'The patient masked this document from professionals');
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
