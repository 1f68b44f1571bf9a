import type { Reference } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { conditionalPatientOf } from '../domain/conditional-reference';
import { insOf, sameIns, type PatientIns } from '../domain/patient-ins';

/** A patient of the DMP patient registry: its `Patient/<id>` and its INS. */
export interface RegisteredPatient {
  id: string;
  ins: PatientIns;
}

/** The DMP patient registry (the consent service's, or a test table), as resolution reads it. */
export interface PatientLookup {
  /** The INS of `Patient/<id>`, if the registry knows it. */
  byId(id: string): Promise<PatientIns | undefined>;
  /** Every registered patient carrying one of these INS (a conditional reference's search). */
  byIdentifiers(identifiers: readonly PatientIns[]): Promise<RegisteredPatient[]>;
}

/** The one patient a request designates: its INS, and its registry reference when known. */
export interface ResolvedPatient {
  ins: PatientIns;
  /** `Patient/<id>` of the registry, when the request named it by reference (or a search). */
  reference?: string;
}

const PATIENT_ID = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;

const notOfThisDmp = () =>
  fhirError('DMP-PATIENT-NO-DMP', 'The patient reference is not a Patient of this DMP', 'patient');

/**
 * A conditional reference searched as a FHIR transaction does: every INS it names is checked
 * first (400 `DMP-INS-INVALID`), then the registry is searched; no match: 404
 * `DMP-CONDITIONAL-NO-MATCH`; several: 412 `DMP-CONDITIONAL-MULTIPLE-MATCHES`.
 */
async function searchPatient(reference: string, lookup: PatientLookup): Promise<RegisteredPatient> {
  const search = conditionalPatientOf(reference);
  if (!search?.ok) throw notOfThisDmp();
  const wanted = search.identifiers.map((identifier) => insOf(identifier, 'patient'));
  const found = new Map((await lookup.byIdentifiers(wanted)).map((p) => [p.id, p]));
  const [only, ...more] = found.values();
  if (!only) {
    throw fhirError(
      'DMP-CONDITIONAL-NO-MATCH',
      'The conditional patient reference matches no patient of the DMP',
      'patient',
    );
  }
  if (more.length > 0) {
    throw fhirError(
      'DMP-CONDITIONAL-MULTIPLE-MATCHES',
      'The conditional patient reference matches several patients',
      'patient',
    );
  }
  return only;
}

/** `Patient/<id>` looked up in the registry; an unknown or foreign reference: 422. */
async function registeredPatient(
  reference: string,
  lookup: PatientLookup,
): Promise<RegisteredPatient> {
  if (conditionalPatientOf(reference)) return searchPatient(reference, lookup);
  const id = PATIENT_ID.exec(reference)?.[1];
  if (id === undefined) throw notOfThisDmp();
  const ins = await lookup.byId(id);
  if (!ins) {
    throw fhirError(
      'DMP-PATIENT-NO-DMP',
      `Patient/${id} is unknown to the DMP patient registry`,
      'patient',
    );
  }
  return { id, ins };
}

/**
 * The one INS a request's patient designates. An identifier must be a valid INS; a
 * `Patient/<id>` is looked up, a conditional `Patient?identifier=…` searched, in the registry;
 * a reference and an identifier given together must name the same patient (else 400: a
 * reference and an identifier naming two patients is an error); none, or an id nobody knows: 422.
 */
export async function resolvePatient(
  patient: Reference,
  lookup: PatientLookup,
): Promise<ResolvedPatient> {
  const given =
    patient.identifier?.value !== undefined ? insOf(patient.identifier, 'patient') : undefined;
  const found =
    patient.reference !== undefined
      ? await registeredPatient(patient.reference, lookup)
      : undefined;
  if (given && found && !sameIns(given, found.ins)) {
    throw fhirError(
      'DMP-MHD-PATIENT-MISMATCH',
      'The reference and the identifier name two patients',
      'patient',
    );
  }
  if (found) return { ins: found.ins, reference: `Patient/${found.id}` };
  if (given) return { ins: given };
  throw fhirError(
    'DMP-PATIENT-NO-DMP',
    'The request does not identify the patient (INS)',
    'patient',
  );
}
