import type { Extension, Patient } from 'fhir/r4';
import type { DmpState } from './decision';
import { EXTENSION_BASE } from './vocabulary';

/**
 * The DMP existence and state, carried on a `Patient` resource the way PDSm4DMP TD0.2 answers
 * (SPEC C6.6): `active` true = open, false = closed with the closure date, reason code and
 * reason text in an extension; an erase request (C6.2) in another extension with its deadline.
 */
export const CLOSURE_EXTENSION = `${EXTENSION_BASE}/dmp-closure`;
export const ERASE_REQUEST_EXTENSION = `${EXTENSION_BASE}/dmp-erase-request`;
export const CLOSURE_REASON_SYSTEM = 'https://dmp.example.fr/fhir/CodeSystem/dmp-closure-reason';
export const CLOSURE_REASONS = [
  'patient-request',
  'erase-request',
  'deceased',
  'operator',
] as const;
export type ClosureReason = (typeof CLOSURE_REASONS)[number];

/** Deadline to honour an express erase request (R.1111-36): three months. */
export const ERASE_DELAY_MONTHS = 3;

export function dmpStateOf(patient: Patient | undefined): DmpState {
  if (!patient) return 'none';
  return patient.active === false ? 'closed' : 'open';
}

export function newDmpPatient(insSystem: string, ins: string): Patient {
  return { resourceType: 'Patient', identifier: [{ system: insSystem, value: ins }], active: true };
}

function withoutExtension(patient: Patient, url: string): Extension[] {
  return (patient.extension ?? []).filter((e) => e.url !== url);
}

export function closeDmp(
  patient: Patient,
  at: Date,
  reason: ClosureReason,
  text: string | undefined,
): Patient {
  const closure: Extension = {
    url: CLOSURE_EXTENSION,
    extension: [
      { url: 'date', valueDateTime: at.toISOString() },
      {
        url: 'reason',
        valueCodeableConcept: {
          coding: [{ system: CLOSURE_REASON_SYSTEM, code: reason }],
          ...(text ? { text } : {}),
        },
      },
    ],
  };
  return {
    ...patient,
    active: false,
    extension: [...withoutExtension(patient, CLOSURE_EXTENSION), closure],
  };
}

/** Re-opening restores the archived data (C6.3) and drops any pending erase request. */
export function reopenDmp(patient: Patient): Patient {
  const extension = withoutExtension(
    { ...patient, extension: withoutExtension(patient, CLOSURE_EXTENSION) },
    ERASE_REQUEST_EXTENSION,
  );
  const reopened: Patient = { ...patient, active: true };
  if (extension.length > 0) reopened.extension = extension;
  else delete reopened.extension;
  return reopened;
}

export function eraseDeadline(requestedAt: Date): Date {
  const deadline = new Date(requestedAt.getTime());
  deadline.setUTCMonth(deadline.getUTCMonth() + ERASE_DELAY_MONTHS);
  return deadline;
}

/** Records an express erase request (closing the DMP if it is still open). */
export function requestErasure(patient: Patient, at: Date): Patient {
  const closed =
    patient.active === false ? patient : closeDmp(patient, at, 'erase-request', undefined);
  const request: Extension = {
    url: ERASE_REQUEST_EXTENSION,
    extension: [
      { url: 'requested', valueDateTime: at.toISOString() },
      { url: 'deadline', valueDateTime: eraseDeadline(at).toISOString() },
    ],
  };
  return { ...closed, extension: [...withoutExtension(closed, ERASE_REQUEST_EXTENSION), request] };
}
