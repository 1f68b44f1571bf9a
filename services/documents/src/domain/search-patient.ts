import type { Reference } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import type { ReferenceValue, SearchFilter } from '@dmp/fhir';

/** The parameters through which a search names the patient whose record it reads. */
const PATIENT_PARAMS = new Set(['patient', 'subject']);

export interface SearchPatient {
  /** The patient the search names: a `Patient/id`, an INS identifier, or both (checked equal). */
  patient: Reference;
  /** The other filters of the search, to be run on that patient's record only. */
  filters: SearchFilter[];
}

function invalid(message: string): Error {
  return fhirError('DMP-SEARCH-INVALID-VALUE', message, 'patient');
}

function asReference(value: ReferenceValue): string {
  if (value.type !== undefined && value.type !== 'Patient') {
    throw invalid('The record searched is a patient’s: name a Patient');
  }
  if (value.id === undefined) {
    throw invalid('Name the patient as Patient/[id] of this server or by INS');
  }
  return `Patient/${value.id}`;
}

/** One patient designation, or an error for anything else on `patient` / `subject`. */
function designationOf(filter: SearchFilter): { reference?: string; identifier?: string } {
  if (filter.kind === 'reference') {
    const [only, ...more] = filter.anyOf;
    if (!only || more.length > 0) throw invalid('A search names one patient');
    return { reference: asReference(only) };
  }
  if (
    filter.kind === 'chain' &&
    filter.targetType === 'Patient' &&
    filter.target.kind === 'token' &&
    filter.target.param === 'identifier' &&
    !filter.target.negate
  ) {
    const [only, ...more] = filter.target.anyOf;
    if (!only?.code || more.length > 0) throw invalid('A search names one patient (one INS)');
    return { identifier: `${only.system ?? ''}|${only.code}` };
  }
  throw invalid('The patient is named by one reference or one INS, without modifier');
}

/**
 * Finds, in a parsed search (the same AST the store runs), the one patient it names through
 * `patient`, `patient.identifier`, `subject`, `subject.identifier` in any spelling the parser
 * accepts, and separates those filters from the others. No patient named, two different ones,
 * an OR list, a negation or `:missing` on them: 400. A parameter the lenient parser dropped does
 * not name anyone, so a search cannot slip past the decision by a spelling the parser ignores.
 */
export function searchPatientOf(filters: readonly SearchFilter[]): SearchPatient {
  const references = new Set<string>();
  const identifiers = new Set<string>();
  const others: SearchFilter[] = [];
  for (const filter of filters) {
    if (!('param' in filter) || !PATIENT_PARAMS.has(filter.param)) {
      others.push(filter);
      continue;
    }
    const designation = designationOf(filter);
    if (designation.reference) references.add(designation.reference);
    if (designation.identifier) identifiers.add(designation.identifier);
  }
  if (references.size === 0 && identifiers.size === 0) {
    throw fhirError(
      'DMP-MHD-SEARCH-PARAMETER-REQUIRED',
      'Name the patient: patient or patient.identifier',
      'patient',
    );
  }
  if (references.size > 1 || identifiers.size > 1) throw invalid('A search names one patient');
  const [reference] = references;
  const [identifier] = identifiers;
  const [system, value] = identifier?.split('|', 2) ?? [];
  return {
    patient: {
      ...(reference !== undefined ? { reference } : {}),
      ...(value !== undefined ? { identifier: { ...(system ? { system } : {}), value } } : {}),
    },
    filters: others,
  };
}
