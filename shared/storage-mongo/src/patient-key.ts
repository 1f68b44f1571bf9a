import type { SearchFilter, SearchQuery, TokenFilter } from '@dmp/fhir';
import type { IndexDoc } from './documents';

/**
 * `pat`, the shard key of resource collections: which patient a resource belongs to, so that a
 * patient's resources live on one shard and single-patient searches are targeted.
 *
 * Derivation (from the stored index entries, so a migration can recompute it):
 * 1. the patient's INS when the resource names exactly one: a `dmp-patient` token, the INS
 *    identifier of its `patient`/`subject`/`entity` reference (`<param>.identifier`), or for a
 *    Patient its own INS `identifier` → `urn:oid:1.2.250.1.213.1.4.8|<INS>`;
 * 2. else exactly one `Patient/<id>` reference (a Patient without INS: itself) → `Patient/<id>`;
 * 3. else (no patient, or several) null.
 *
 * A search gets `pat: { $in: [...] }` only when every resource it can match has one of those
 * values, null always among them (resources naming several patients); this relies on one rule
 * the services keep: a resource's INS is the INS of the Patient it references.
 */
export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
/** Internal token parameters holding `INS_SYSTEM|<INS>` (the documents service's). */
export const PATIENT_TOKEN_PARAMS: readonly string[] = ['dmp-patient'];
const PATIENT_REFERENCE_PARAMS: readonly string[] = ['patient', 'subject', 'entity'];
const SEARCH_REFERENCE_PARAMS: readonly string[] = ['patient', 'subject'];
/** Most stored chain targets a search names in its `pat` list (beyond: not targeted). */
export const MAX_TARGETED_PATIENTS = 16;

export const insKey = (ins: string): string => `${INS_SYSTEM}|${ins}`;

export function patientKeyOf(
  resourceType: string,
  id: string,
  entries: readonly IndexDoc[],
): string | null {
  const ins = new Set<string>();
  const refs = new Set<string>();
  for (const entry of entries) {
    if ('c' in entry && entry.s === INS_SYSTEM && isInsParam(resourceType, entry.p)) {
      ins.add(insKey(entry.c));
    } else if ('r' in entry && PATIENT_REFERENCE_PARAMS.includes(entry.p)) {
      if (entry.r.startsWith('Patient/')) refs.add(entry.r);
    }
  }
  if (ins.size > 0) return ins.size === 1 ? ([...ins][0] ?? null) : null;
  if (resourceType === 'Patient') return `Patient/${id}`;
  return refs.size === 1 ? ([...refs][0] ?? null) : null;
}

function isInsParam(resourceType: string, param: string): boolean {
  if (PATIENT_TOKEN_PARAMS.includes(param)) return true;
  if (resourceType === 'Patient') return param === 'identifier';
  return PATIENT_REFERENCE_PARAMS.some((p) => param === `${p}.identifier`);
}

/** What the search knows beyond the query: stored chain targets, a referenced Patient's INS. */
export interface ScopeFacts {
  /** For each chain filter (by position): the stored targets' `Type/id`, or undefined. */
  chainTargets: ReadonlyMap<number, readonly string[] | undefined>;
  /** INS values of the Patient a reference filter names, when that Patient is stored. */
  patientIns: ReadonlyMap<string, readonly string[]>;
}

/**
 * The `pat` values a query's matches can have, or undefined when it names no single patient.
 * Each filter that names one patient gives a set; several such filters intersect.
 */
export function patientScope(query: SearchQuery, facts: ScopeFacts): string[] | undefined {
  let scope: Set<string> | undefined;
  query.filters.forEach((filter, index) => {
    const values = filterScope(filter, index, facts);
    if (!values) return;
    scope = scope ? new Set([...scope].filter((v) => values.has(v))) : values;
  });
  return scope ? [...scope] : undefined;
}

/** The single Patient a reference filter names (`Patient/<id>`), if it names exactly one. */
export function referencedPatient(filter: SearchFilter): string | undefined {
  if (filter.kind !== 'reference' || !SEARCH_REFERENCE_PARAMS.includes(filter.param)) return;
  const [value, ...more] = filter.anyOf;
  if (!value || more.length > 0 || value.id === undefined || value.url !== undefined) return;
  return value.type === 'Patient' ? `Patient/${value.id}` : undefined;
}

function filterScope(
  filter: SearchFilter,
  index: number,
  facts: ScopeFacts,
): Set<string> | undefined {
  if (filter.kind === 'token' && PATIENT_TOKEN_PARAMS.includes(filter.param)) {
    const ins = singleIns(filter);
    return ins === undefined ? undefined : new Set([insKey(ins), NULL_KEY]);
  }
  if (filter.kind === 'chain') {
    if (!SEARCH_REFERENCE_PARAMS.includes(filter.param) || filter.targetType !== 'Patient') return;
    if (filter.target.kind !== 'token' || filter.target.param !== 'identifier') return;
    const ins = singleIns(filter.target);
    const targets = facts.chainTargets.get(index);
    if (ins === undefined || !targets || targets.length > MAX_TARGETED_PATIENTS) return;
    return new Set([insKey(ins), ...targets, NULL_KEY]);
  }
  const patient = referencedPatient(filter);
  const ins = patient === undefined ? undefined : facts.patientIns.get(patient);
  if (patient === undefined || ins === undefined) return;
  return new Set([patient, ...ins.map(insKey), NULL_KEY]);
}

function singleIns(filter: TokenFilter): string | undefined {
  const [value, ...more] = filter.anyOf;
  if (filter.negate || !value || more.length > 0) return undefined;
  return value.system === INS_SYSTEM && value.code !== undefined ? value.code : undefined;
}

/** Stands for null inside the scope sets (rendered back as null). */
export const NULL_KEY = '\u0000null';

/** `{ pat: { $in: [...] } }` for a scope (null restored). */
export function renderPatientScope(scope: readonly string[]): { pat: { $in: (string | null)[] } } {
  return { pat: { $in: scope.map((v) => (v === NULL_KEY ? null : v)).sort(sortNullFirst) } };
}

function sortNullFirst(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
