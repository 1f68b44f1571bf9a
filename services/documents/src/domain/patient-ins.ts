import type { Identifier } from 'fhir/r4';
import { fhirError, type Fault } from '@dmp/errors';
import { checkIns, INS_NIR_SYSTEM, isInsSystem } from '@dmp/fhir';

/** A patient key: an INS system and a well-formed INS with its control key. */
export type PatientIns = Identifier & { system: string; value: string };

type InsCheck = { ins: PatientIns } | { problem: string; element: 'system' | 'value' };

/** An identifier read as an INS (no system: the INS-NIR), or what is wrong with it. */
function checkPatientIns(identifier: Identifier): InsCheck {
  const system = identifier.system ?? INS_NIR_SYSTEM;
  if (!isInsSystem(system)) {
    return { problem: 'The patient identifier is not an INS', element: 'system' };
  }
  const value = identifier.value ?? '';
  const check = checkIns(value);
  return check.valid
    ? { ins: { system, value } }
    : { problem: `INS: ${check.reason}`, element: 'value' };
}

/**
 * The INS an identifier gives (no system: the INS-NIR), checked before anything is asked or
 * stored under it; 400 `DMP-INS-INVALID` otherwise, naming `expression`.
 */
export function insOf(identifier: Identifier, expression: string): PatientIns {
  const check = checkPatientIns(identifier);
  if ('problem' in check) throw fhirError('DMP-INS-INVALID', check.problem, expression);
  return check.ins;
}

/**
 * The same check as a fault, for the checks that report every fault at once: `path` names the
 * identifier (`….identifier`), or the element that carries it (a conditional reference).
 */
export function insFault(identifier: Identifier, path: string, within = false): Fault[] {
  const check = checkPatientIns(identifier);
  if (!('problem' in check)) return [];
  return [
    {
      code: 'DMP-INS-INVALID',
      message: check.problem,
      expression: within ? path : `${path}.${check.element}`,
    },
  ];
}

export function sameIns(a: Identifier, b: Identifier): boolean {
  return a.system === b.system && a.value === b.value;
}
