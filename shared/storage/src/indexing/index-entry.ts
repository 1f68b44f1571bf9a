/**
 * Normalized index values extracted from a resource at write time. Every adapter stores these
 * next to the resource JSON and matches the search AST against them.
 *
 * Chain values use the param `<param>.<targetParam>` (e.g. `author.family`, `patient.identifier`):
 * they come from contained resources (`#id`) and from logical references (`reference.identifier`).
 */
export type IndexEntry = TokenEntry | StringEntry | DateEntry | ReferenceEntry | UriEntry;

export interface TokenEntry {
  param: string;
  kind: 'token';
  /** `null` when the value has no system (code, boolean, string). */
  system: string | null;
  code: string;
}

export interface StringEntry {
  param: string;
  kind: 'string';
  /** `foldString(exact)`: matched by the default and `:contains` searches. */
  folded: string;
  /** The value as written, for `:exact`. */
  exact: string;
}

export interface DateEntry {
  param: string;
  kind: 'date';
  /** Inclusive lower bound, UTC `YYYY-MM-DDTHH:mm:ss.sssZ` ({@link MIN_INSTANT} when open). */
  low: string;
  /** Exclusive upper bound ({@link MAX_INSTANT} when open). */
  high: string;
}

export interface ReferenceEntry {
  param: string;
  kind: 'reference';
  /** `Type/id` (relative), an absolute URL or urn as written, or `#id` for a contained target. */
  ref: string;
}

export interface UriEntry {
  param: string;
  kind: 'uri';
  value: string;
}

/** Sentinel lower bound of an open-started period. */
export const MIN_INSTANT = '0001-01-01T00:00:00.000Z';
/** Sentinel upper bound of an open-ended period. */
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';
