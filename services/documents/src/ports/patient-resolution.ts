import type { Reference } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { insOf, sameIns, type PatientIns } from '../domain/patient-ins';

/** Finds the INS of a `Patient/<id>` (the consent service's registry, or a test table). */
export type PatientLookup = (id: string) => Promise<PatientIns | undefined>;

const PATIENT_ID = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * The one INS a request's patient designates. An identifier must be a valid INS; a
 * `Patient/<id>` is looked up; both given must name the same patient (else 400: a reference
 * and an identifier naming two patients is an error); none, or an id nobody knows: 422.
 */
export async function resolvePatient(
  patient: Reference,
  lookup: PatientLookup,
): Promise<PatientIns> {
  const given =
    patient.identifier?.value !== undefined ? insOf(patient.identifier, 'patient') : undefined;
  const id = PATIENT_ID.exec(patient.reference ?? '')?.[1];
  if (patient.reference !== undefined && id === undefined) {
    throw fhirError(
      'DMP-PATIENT-NO-DMP',
      'The patient reference is not a Patient of this DMP',
      'patient',
    );
  }
  const found = id !== undefined ? await lookup(id) : undefined;
  if (id !== undefined && found === undefined) {
    throw fhirError(
      'DMP-PATIENT-NO-DMP',
      `Patient/${id} is unknown to the DMP patient registry`,
      'patient',
    );
  }
  if (given && found && !sameIns(given, found)) {
    throw fhirError(
      'DMP-MHD-PATIENT-MISMATCH',
      'The reference and the identifier name two patients',
      'patient',
    );
  }
  const ins = given ?? found;
  if (!ins)
    throw fhirError(
      'DMP-PATIENT-NO-DMP',
      'The request does not identify the patient (INS)',
      'patient',
    );
  return ins;
}
