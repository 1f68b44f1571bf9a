import type { SortKey } from '@dmp/fhir';
import type { MongoFilter } from './render-filter';

/**
 * Sort and keyset rendering. Rows are ordered by the sort keys then a unique tie-breaker (in the
 * direction of the last key); the next page starts strictly after the previous page's last row,
 * so inserts and deletes between fetches cause no repeat and no skip (as in the SQLite adapter).
 */

export interface SortField {
  /** Document path: a layout column or a precomputed `srt.<param>.a|d`. */
  path: string;
  descending: boolean;
}

/** Where a collection keeps its sortable columns (all strings, so the cursor keeps strings). */
export interface SortLayout {
  /** Unique string field ending every order. */
  tie: string;
  /** Order when the query names none (descending). */
  defaultPath: string;
  /** Parameters sorted on a column rather than on `srt` (`_id`, `_lastUpdated`…). */
  columns: Readonly<Record<string, string>>;
}

/** Current resources: default newest `_lastUpdated` (`ts`) first, ties by id. */
export const RESOURCE_LAYOUT: SortLayout = {
  tie: '_id',
  defaultPath: 'ts',
  columns: { _id: '_id', _lastUpdated: 'ts' },
};

/** Ordered `[path, direction]` pairs (a document would lose order for numeric-like keys). */
export type SortSpec = [string, 1 | -1][];

/** The key fields (without the tie-breaker). */
export function sortFields(
  sort: readonly SortKey[],
  layout: SortLayout = RESOURCE_LAYOUT,
): SortField[] {
  if (sort.length === 0) return [{ path: layout.defaultPath, descending: true }];
  return sort.map((key) => ({
    // Descending uses the resource's largest (latest) value, ascending its smallest (earliest).
    path: layout.columns[key.param] ?? `srt.${key.param}.${key.descending ? 'd' : 'a'}`,
    descending: key.descending,
  }));
}

/** The full sort, tie-breaker last (skipped when it is already a key). */
export function renderSort(
  fields: readonly SortField[],
  layout: SortLayout = RESOURCE_LAYOUT,
): SortSpec {
  const spec: SortSpec = fields.map((f) => [f.path, f.descending ? -1 : 1]);
  if (!fields.some((f) => f.path === layout.tie))
    spec.push([layout.tie, tieDescending(fields) ? -1 : 1]);
  return spec;
}

function tieDescending(fields: readonly SortField[]): boolean {
  return fields[fields.length - 1]?.descending ?? true;
}

/**
 * Cursor value of a sort key the document does not have (`srt.<p>` of a parameter added after it
 * was written, or an audit record older than its sort parameter). MongoDB sorts a missing field
 * as null: before every string ascending, after every string descending; the keyset follows.
 */
export const MISSING_SORT_KEY = '\u0000missing';

/** The key values of a document (as strings, for the cursor). */
export function sortValues(fields: readonly SortField[], doc: object): string[] {
  return fields.map((f) => {
    const value = readPath(doc, f.path);
    if (value === undefined || value === null) return MISSING_SORT_KEY;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  });
}

export function readPath(doc: unknown, path: string): unknown {
  let node = doc;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Strictly after (keys…, tie) in the sort order: an `$or` of "equal on the first i keys and past
 * on key i", for each key then the tie-breaker.
 */
export function renderKeyset(
  fields: readonly SortField[],
  position: { keys: readonly string[]; id: string },
  layout: SortLayout = RESOURCE_LAYOUT,
): MongoFilter {
  const withTie = !fields.some((f) => f.path === layout.tie);
  const columns = [...fields.map((f) => f.path), ...(withTie ? [layout.tie] : [])];
  const values = [...position.keys, ...(withTie ? [position.id] : [])];
  const directions = [
    ...fields.map((f) => f.descending),
    ...(withTie ? [tieDescending(fields)] : []),
  ];
  const alternatives: MongoFilter[] = [];
  columns.forEach((column, i) => {
    const after = afterValue(values[i] ?? '', directions[i] ?? false, column.startsWith('srt.'));
    if (after === undefined) return; // nothing sorts after a missing key descending
    const condition: MongoFilter = {};
    for (let j = 0; j < i; j += 1) {
      const equalColumn = columns[j];
      const value = values[j];
      if (equalColumn !== undefined)
        condition[equalColumn] = value === MISSING_SORT_KEY ? null : value;
    }
    condition[column] = after;
    alternatives.push(condition);
  });
  return alternatives.length > 0 ? { $or: alternatives } : { _id: { $in: [] } };
}

/**
 * "Sorts after `value`" on one column, missing fields (null) included where they sort: first
 * ascending (so after a missing key comes every string), last descending (so a missing field
 * sorts after every value, and nothing after a missing key). Only `srt.*` keys can be missing;
 * the other columns keep plain range conditions (index bounds).
 */
function afterValue(
  value: string,
  descending: boolean,
  nullable: boolean,
): MongoFilter | undefined {
  if (!nullable) return { [descending ? '$lt' : '$gt']: value };
  if (value === MISSING_SORT_KEY) return descending ? undefined : { $gte: '' };
  return descending ? { $not: { $gte: value } } : { $gt: value };
}
