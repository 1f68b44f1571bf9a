import type { SearchParameterDefinition } from '../search-parameter';
import type { SearchParamType } from '../search-query';

/** Canonical base of the FHIR R4 core SearchParameters. */
export const R4_SEARCH_PARAMETER_BASE = 'http://hl7.org/fhir/SearchParameter/';
/** Canonical base of the IHE MHD SearchParameters. */
export const MHD_SEARCH_PARAMETER_BASE = 'https://profiles.ihe.net/ITI/MHD/SearchParameter/';
/** Canonical base of the ANS PDSm SearchParameters. */
export const PDSM_SEARCH_PARAMETER_BASE =
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/SearchParameter/';

/** URL of the PDSm `isArchived` extension (StructureDefinition pdsm-ext-is-archived). */
export const PDSM_IS_ARCHIVED_EXTENSION_URL =
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived';

type Extra = Omit<SearchParameterDefinition, 'code' | 'type' | 'expression' | 'definition'>;

/** A parameter taken from the R4 core bundle; `id` is the SearchParameter id (`clinical-patient`). */
export function r4(
  code: string,
  type: SearchParamType,
  id: string,
  expression: string,
  extra: Extra = {},
): SearchParameterDefinition {
  return build(code, type, R4_SEARCH_PARAMETER_BASE + id, expression, extra);
}

/** A parameter defined outside R4 core (IHE MHD, ANS PDSm, or our own canonical). */
export function profiled(
  code: string,
  type: SearchParamType,
  definition: string,
  expression: string,
  extra: Extra = {},
): SearchParameterDefinition {
  return build(code, type, definition, expression, extra);
}

/** Date and string parameters are sortable unless `extra.sortable` says otherwise. */
function build(
  code: string,
  type: SearchParamType,
  definition: string,
  expression: string,
  extra: Extra,
): SearchParameterDefinition {
  const sortable = extra.sortable ?? (type === 'date' || type === 'string');
  return { code, type, expression, definition, ...extra, ...(sortable ? { sortable } : {}) };
}

/**
 * The R4 `X.where(resolve() is Patient)` cannot be evaluated offline by fhirpath.js (no
 * resolver). We evaluate "the reference points to a Patient" from the reference itself instead:
 * an explicit `type`, a relative `Patient/id` or an absolute `[base]/Patient/id`. Contained
 * (`#id`) and `urn:uuid:` references are resolved by the indexing code, not by this expression.
 */
export function whereReferenceIs(path: string, type: string): string {
  return (
    `${path}.where(type = '${type}' or reference.startsWith('${type}/') or ` +
    `reference.contains('/${type}/'))`
  );
}

/** Canonical base of the parameters this project defines for itself (internal ones included). */
export const DMP_SEARCH_PARAMETER_BASE = 'https://dmp.example.fr/fhir/SearchParameter/';

/**
 * The internal patient key of a stored resource: the INS its subject reference carries, which
 * the documents service stamps on every DocumentReference and List it stores.
 */
export function patientKeyParameter(resourceType: string): SearchParameterDefinition {
  return build(
    'dmp-patient',
    'token',
    `${DMP_SEARCH_PARAMETER_BASE}dmp-patient`,
    `${resourceType}.subject.identifier`,
    { internal: true },
  );
}

/** `_id` and `_lastUpdated`, common to every type (R4 `Resource.*`, restricted to the type). */
export function commonParameters(resourceType: string): SearchParameterDefinition[] {
  return [
    r4('_id', 'token', 'Resource-id', `${resourceType}.id`, { sortable: true }),
    r4('_lastUpdated', 'date', 'Resource-lastUpdated', `${resourceType}.meta.lastUpdated`, {
      sortable: true,
    }),
  ];
}
