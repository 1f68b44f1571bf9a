import type { DocumentReference, FhirResource, Identifier, Reference } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { isInsSystem } from '@dmp/fhir';
import { conditionalPatientOf } from './conditional-reference';
import { insFault } from './patient-ins';
import { patientKeyOf } from './patient-key';
import { xdsFault } from './xds-fault';

/** Where a submission names its patient: the reference, and its FHIRPath for faults. */
export interface PatientDesignation {
  reference: Reference | undefined;
  path: string;
}

export interface PatientContext {
  baseUrl: string;
  /** fullUrls of the Patient entries of the bundle (none in ITI-105). */
  bundledPatients: ReadonlySet<string>;
}

/**
 * The INS a reference to the patient gives, each checked (format and key): its `identifier`,
 * and every identifier its conditional form (`Patient?identifier=…`) searches.
 */
export function designationInsFaults(reference: Reference, path: string, baseUrl: string): Fault[] {
  const faults: Fault[] = [];
  if (reference.identifier?.value !== undefined) {
    faults.push(...insFault(reference.identifier, `${path}.identifier`));
  }
  const search = reference.reference
    ? conditionalPatientOf(reference.reference, baseUrl)
    : undefined;
  if (search?.ok) {
    for (const identifier of search.identifiers) {
      faults.push(...insFault(identifier, `${path}.reference`, true));
    }
  }
  return faults;
}

/** The INS-system identifiers of a Patient resource (bundled, contained), each checked. */
export function patientInsFaults(
  identifiers: readonly Identifier[] | undefined,
  path: string,
): Fault[] {
  return (identifiers ?? []).flatMap((identifier, i) =>
    isInsSystem(identifier.system) && identifier.value !== undefined
      ? insFault(identifier, `${path}[${String(i)}]`)
      : [],
  );
}

/**
 * The one patient of a submission, from every place that names it (SubmissionSet, Folders,
 * DocumentReferences): the INS of each is checked first (so an invalid INS is reported whatever
 * the form of the reference), then its form, then that all of them name the same patient.
 */
export function submissionPatientKey(
  designations: readonly PatientDesignation[],
  context: PatientContext,
): { key?: string; faults: Fault[] } {
  const named = designations.filter(
    (d): d is { reference: Reference; path: string } => d.reference !== undefined,
  );
  const insFaults = named.flatMap((d) =>
    designationInsFaults(d.reference, d.path, context.baseUrl),
  );
  const faults: Fault[] = [];
  let key: string | undefined;
  for (const { reference, path } of named) {
    const result = patientKeyOf(reference, context);
    if (!result.ok) {
      faults.push(
        xdsFault('DMP-MHD-PATIENT-MISMATCH', result.xds, `The subject ${result.reason}`, path),
      );
    } else if (key === undefined) {
      key = result.key;
    } else if (result.key !== key) {
      faults.push(
        xdsFault(
          'DMP-MHD-PATIENT-MISMATCH',
          'XDSPatientIdDoesNotMatch',
          'Every entry must name the same patient as the SubmissionSet',
          path,
        ),
      );
    }
  }
  return { ...(key !== undefined ? { key } : {}), faults: [...insFaults, ...faults] };
}

/**
 * `context.sourcePatientInfo`: the INS it carries is checked, in a contained Patient or in the
 * reference; a conditional reference (resolved and rewritten like the subject) must search the
 * very patient the submission is for, named the same way (else XDSPatientIdDoesNotMatch).
 */
export function sourcePatientFaults(
  document: DocumentReference,
  path: string,
  patientKey: string | undefined,
  context: PatientContext,
): Fault[] {
  const source = document.context?.sourcePatientInfo;
  if (source === undefined) return [];
  const sourcePath = `${path}.context.sourcePatientInfo`;
  const faults = designationInsFaults(source, sourcePath, context.baseUrl);
  (document.contained ?? []).forEach((contained, i) => {
    const resource = contained as FhirResource;
    if (resource.resourceType === 'Patient' && `#${resource.id ?? ''}` === source.reference) {
      faults.push(
        ...patientInsFaults(resource.identifier, `${path}.contained[${String(i)}].identifier`),
      );
    }
  });
  if (source.reference && conditionalPatientOf(source.reference, context.baseUrl)) {
    const result = patientKeyOf(source, context);
    if (!result.ok || result.key !== patientKey) {
      faults.push(
        xdsFault(
          'DMP-MHD-PATIENT-MISMATCH',
          'XDSPatientIdDoesNotMatch',
          'A conditional sourcePatientInfo names the patient exactly as the subject does',
          sourcePath,
        ),
      );
    }
  }
  return faults;
}
