import { decideForPatient } from './decide-patient';
import { decideForProfessional } from './decide-professional';
import { decideForSystem } from './decide-system';
import { deny, type Decision, type DecisionInput } from './decision';
import { isReadAction } from './vocabulary';

/**
 * The DMP access decision (SPEC C.7), a pure function. Order of evaluation:
 * DMP state → who the subject is → block > emergency opposition / hide-everything → basis of
 * access (attestation, authorization, emergency mode) → profession matrix → masking → permit
 * with obligations. A change to a stored document is decided on what the subject may see of it
 * first, then on the right each change needs. Every deny carries the reason code of the first
 * rule that refused.
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
