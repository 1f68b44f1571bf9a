import { decideForPatient } from './decide-patient';
import { decideForProfessional } from './decide-professional';
import { deny, isAuthorOf, permit, type Decision, type DecisionInput } from './decision';
import { isReadAction } from './vocabulary';

/**
 * The DMP access decision (SPEC C.7), a pure function. Order of evaluation:
 * DMP state → who the subject is → block > emergency opposition / hide-everything → basis of
 * access (attestation, authorization, emergency mode) → profession matrix → masking → permit
 * with obligations. Every deny carries the reason code of the first rule that refused.
 */
export function decide(input: DecisionInput): Decision {
  const { subject, dmp, action } = input;
  if (dmp.state === 'none') return deny('DMP_NOT_FOUND', 'The patient has no DMP');
  const holder = subject.kind === 'patient' && subject.patientIns === dmp.ins;
  if (dmp.state === 'closed' && !(holder && isReadAction(action))) {
    return deny('DMP_CLOSED', 'The DMP is closed; only its holder may read the archived data');
  }
  if (subject.kind !== 'patient' && subject.patientIns && subject.patientIns !== dmp.ins) {
    return deny('TOKEN_BOUND_TO_ANOTHER_PATIENT', 'The token is bound to another patient');
  }
  switch (subject.kind) {
    case 'auditor':
      return deny('AUDITOR_NO_DOCUMENT_ACCESS', 'Auditors read traces, not documents');
    case 'system':
      return decideForSystem(input);
    case 'patient':
      return decideForPatient(input, holder);
    case 'practitioner':
      return decideForProfessional(input);
  }
}

/**
 * Software authenticated by a structure certificate, without an individual user (F.5.4,
 * TD3.1b): may feed and manage its own documents, never consult, never break glass.
 */
function decideForSystem(input: DecisionInput): Decision {
  const { subject, action, document } = input;
  if (subject.accessMode !== 'normal') {
    return deny('EMERGENCY_NOT_FOR_SYSTEM', 'Emergency access needs an individual professional');
  }
  if (isReadAction(action)) {
    return deny('SYSTEM_CANNOT_CONSULT', 'A structure certificate alone cannot consult the DMP');
  }
  const obligations = { excludeLabels: [], notifyPatient: false, auditAs: 'normal' as const };
  if (action === 'create') {
    return permit([{ code: 'FEEDING', text: 'Feeding by a structure' }], obligations);
  }
  if (!document) return deny('DOCUMENT_REQUIRED', `${action} needs the document's author`);
  if (isAuthorOf(subject, document)) {
    return permit([{ code: 'AUTHOR', text: 'The structure authored the document' }], obligations);
  }
  return deny('ONLY_AUTHOR', `Only the author's structure may ${action} this document`);
}
