import type { Identifier } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { checkIns, INS_NIR_SYSTEM, isInsSystem } from '@dmp/fhir';

/** A patient key: an INS system and a well-formed INS with its control key. */
export type PatientIns = Identifier & { system: string; value: string };

/**
 * The INS an identifier gives (no system: the INS-NIR), checked before anything is asked or
 * stored under it; 400 `DMP-INS-INVALID` otherwise, naming `expression`.
 */
export function insOf(identifier: Identifier, expression: string): PatientIns {
  const system = identifier.system ?? INS_NIR_SYSTEM;
  if (!isInsSystem(system)) {
    throw fhirError('DMP-INS-INVALID', 'The patient identifier is not an INS', expression);
  }
  const value = identifier.value ?? '';
  const check = checkIns(value);
  if (!check.valid) throw fhirError('DMP-INS-INVALID', `INS: ${check.reason}`, expression);
  return { system, value };
}

export function sameIns(a: Identifier, b: Identifier): boolean {
  return a.system === b.system && a.value === b.value;
}
