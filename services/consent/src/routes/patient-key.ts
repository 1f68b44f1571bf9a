import type { Identifier } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { checkIns, INS_NIR_SYSTEM, isInsSystem } from '@dmp/fhir';
import type { PatientKey } from '../storage/dmp-repository';

/** Validates an INS (system and control key) into a {@link PatientKey}; 400 otherwise. */
export function patientKeyOf(
  value: Identifier | string | undefined,
  expression: string,
): PatientKey {
  if (value === undefined || value === '') {
    throw fhirError('DMP-CONSENT-PATIENT-REQUIRED', 'Name the patient by INS', expression);
  }
  const identifier = typeof value === 'string' ? { value } : value;
  const system = identifier.system ?? INS_NIR_SYSTEM;
  if (!isInsSystem(system)) {
    throw fhirError('DMP-INS-INVALID', 'The identifier system is not an INS system', expression);
  }
  if (typeof identifier.value !== 'string') {
    throw fhirError('DMP-CONSENT-PATIENT-REQUIRED', 'The INS has no value', expression);
  }
  const check = checkIns(identifier.value);
  if (!check.valid) throw fhirError('DMP-INS-INVALID', `Invalid INS: ${check.reason}`, expression);
  return { ins: identifier.value, system };
}
