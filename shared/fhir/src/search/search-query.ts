/**
 * The database-neutral search AST. `parseSearch` builds it from a query string or a POST
 * `_search` form; each storage adapter renders it (SQL, Mongo filter). Adapters never see raw
 * query strings.
 *
 * The common parameters use the same shapes: `_id` is a {@link TokenFilter} on param `_id`
 * (code = the id, no system) and `_lastUpdated` a {@link DateFilter} on param `_lastUpdated`.
 *
 * Semantics: `filters` are ANDed; the values inside one filter (`anyOf`) are ORed (a FHIR comma
 * list). Repeating a parameter in the query gives several filters.
 */

export type SearchParamType = 'token' | 'string' | 'date' | 'reference' | 'uri';

/** A token value. `system: undefined` matches any system; `system: null` means "no system" (`|code`). */
export interface TokenValue {
  system?: string | null;
  /** Absent for `system|` (any code in that system). */
  code?: string;
}

export interface TokenFilter {
  kind: 'token';
  param: string;
  /** `:not`: the resource has no value matching any of `anyOf` (resources without the element match). */
  negate: boolean;
  anyOf: TokenValue[];
}

export type StringMatch = 'starts-with' | 'exact' | 'contains';

export interface StringFilter {
  kind: 'string';
  param: string;
  match: StringMatch;
  /** For `starts-with`/`contains`: folded with {@link foldString}; for `exact`: as given. */
  anyOf: string[];
}

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/**
 * A date value as a closed-open range [low, high) of UTC instants written
 * `YYYY-MM-DDTHH:mm:ss.sssZ` (lexicographic order = time order). `2024-03` becomes
 * [2024-03-01T00:00:00.000Z, 2024-04-01T00:00:00.000Z).
 */
export interface DateRange {
  low: string;
  high: string;
}

export interface DateValue extends DateRange {
  prefix: DatePrefix;
}

export interface DateFilter {
  kind: 'date';
  param: string;
  anyOf: DateValue[];
}

/** A reference value: `Type/id` (relative) or an absolute URL. */
export interface ReferenceValue {
  /** Resource type when known (`Patient/123`, or from a `:Patient` modifier). */
  type?: string;
  /** Logical id when the value is relative or a `[base]/Type/id` URL of this server. */
  id?: string;
  /** The value as given when it is an absolute URL (or urn). */
  url?: string;
}

export interface ReferenceFilter {
  kind: 'reference';
  param: string;
  anyOf: ReferenceValue[];
}

/**
 * A chained parameter such as `patient.identifier=sys|val` or `author.family=Dupont`: the
 * reference `param` points to a `targetType` resource whose `target` filter matches. Adapters
 * match it against the chain values indexed at write time (contained and logical references)
 * or against the referenced resources stored alongside.
 */
export interface ChainFilter {
  kind: 'chain';
  param: string;
  targetType: string;
  target: TokenFilter | StringFilter | DateFilter | UriFilter;
}

export type UriMatch = 'exact' | 'below' | 'above';

export interface UriFilter {
  kind: 'uri';
  param: string;
  match: UriMatch;
  anyOf: string[];
}

/** `param:missing=true|false`. */
export interface MissingFilter {
  kind: 'missing';
  param: string;
  missing: boolean;
}

/** A filter on the resource's own index values (no chain, no alternative). */
export type SimpleFilter =
  TokenFilter | StringFilter | DateFilter | ReferenceFilter | UriFilter | MissingFilter;

/**
 * Alternatives: the resource matches when any of `anyOf` matches. Never produced by the query
 * parser; services add it to searches (e.g. access obligations: "not masked, or authored by me").
 */
export interface AnyFilter {
  kind: 'any';
  anyOf: SimpleFilter[];
}

export type SearchFilter = SimpleFilter | ChainFilter | AnyFilter;

export interface SortKey {
  /** A sortable parameter code, `_id` or `_lastUpdated`. */
  param: string;
  descending: boolean;
}

export type TotalMode = 'none' | 'estimate' | 'accurate';

export interface SearchQuery {
  resourceType: string;
  filters: SearchFilter[];
  /** Empty = the store's default order (newest `_lastUpdated` first, then id). */
  sort: SortKey[];
  /** Page size, already capped by the parser. 0 is allowed with `_summary=count`. */
  count: number;
  total: TotalMode;
  /** `_summary=count`: only the total is wanted. */
  summaryCount: boolean;
  /** Opaque cursor from a previous page's `next` link, produced by the store. */
  cursor?: string;
}

/** Result page of `ResourceStore.search`. */
export interface SearchPage<T> {
  resources: T[];
  /** Present when `total` was asked (`accurate`/`estimate`) or `summaryCount` is set. */
  total?: number;
  /** Opaque cursor for the next page, absent on the last page. */
  nextCursor?: string;
}

/**
 * Case- and accent-insensitive form used for FHIR string matching, applied both at index time
 * and at query time: NFD, strip combining marks, lower case, collapse whitespace.
 */
export function foldString(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
