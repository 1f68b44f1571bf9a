import type { SearchParamType } from './search-query';

/**
 * A search parameter a resource type supports, as the parser and the index extractor need it.
 * `expression` is the FHIRPath of the official SearchParameter (R4, MHD or PDSm), restricted to
 * the one base type; it is compiled once at start and evaluated at write time.
 */
export interface SearchParameterDefinition {
  /** The query name, e.g. `patient`, `period-start`. */
  code: string;
  type: SearchParamType;
  /** FHIRPath expression on the base resource type. */
  expression: string;
  /** Canonical URL of the SearchParameter this comes from (documentation and CapabilityStatement). */
  definition: string;
  /** Reference parameters: allowed target types. */
  targets?: string[];
  /**
   * Reference parameters: chains allowed on this parameter, by target type, with the target's
   * parameter definitions (e.g. `patient` → Patient → `identifier`; `author` → Practitioner →
   * `given`, `family`).
   */
  chains?: Record<string, SearchParameterDefinition[]>;
  /** Other query names accepted for this parameter (e.g. PDSm's `PDSm_isArchived`). */
  aliases?: string[];
  /** May be used in `_sort`. */
  sortable?: boolean;
  /**
   * Indexed for the services' own predicates only (e.g. the patient key the documents service's
   * enforcement point ANDs into every query): never accepted from a client, never published.
   */
  internal?: boolean;
}

/** The parameters of one resource type, keyed by code and alias. */
export interface ResourceSearchParameters {
  resourceType: string;
  parameters: SearchParameterDefinition[];
}
