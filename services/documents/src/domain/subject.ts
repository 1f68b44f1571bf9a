import type { Reference } from 'fhir/r4';

/**
 * A logical patient reference (INS identifier only) gets `type: Patient`, which MHD implies for
 * `subject`: the `patient` / `patient.identifier` search parameters then index it.
 */
export function typedSubject(subject: Reference | undefined): Reference | undefined {
  if (subject === undefined || subject.reference !== undefined || subject.type !== undefined) {
    return subject;
  }
  return subject.identifier ? { ...subject, type: 'Patient' } : subject;
}
