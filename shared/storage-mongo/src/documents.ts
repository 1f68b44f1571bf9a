import type { Resource } from 'fhir/r4';
import type { IndexEntry, SearchParameterSet } from '@dmp/storage';
import { patientKeyOf } from './patient-key';

/**
 * The shapes written to MongoDB. One collection per resource type holds the current version of
 * each resource (`_id` = the logical id); `<type>_history` holds every version (append-only).
 * Field names are short because they repeat in every document and every index key.
 */

/** One normalized index value (`@dmp/storage` `IndexEntry`), kind told apart by its fields. */
export type IndexDoc =
  | { p: string; s: string | null; c: string }
  | { p: string; f: string; e: string }
  | { p: string; lo: string; hi: string }
  | { p: string; r: string }
  | { p: string; u: string };

/** Precomputed sort keys of one parameter: `a` = earliest/smallest, `d` = latest/largest. */
export interface SortDoc {
  a: string;
  d: string;
}

export interface ResourceDoc {
  /** Logical id. */
  _id: string;
  /** Version number (versionId as a number). */
  v: number;
  /** lastUpdated, UTC instant `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  ts: string;
  /** Tombstone of a deleted resource (`res` is null then). */
  del: boolean;
  /** The patient (INS or `Patient/<id>`, see `patient-key.ts`) or null: the shard key. */
  pat: string | null;
  res: Resource | null;
  /** Index values (multikey indexes on `idx.p` + value fields). */
  idx: IndexDoc[];
  /** Sort keys of every parameter the type defines (missing values get sentinels). */
  srt: Record<string, SortDoc>;
}

/** One version in `<type>_history`, unique on (`rid`, `v`). */
export interface HistoryDoc {
  rid: string;
  v: number;
  ts: string;
  del: boolean;
  pat: string | null;
  res: Resource | null;
}

/** Ascending sort key of a resource without the parameter: after every real value. */
export const SORT_MISSING_ASC = '\u{10FFFF}';
/** Descending sort key of a resource without the parameter: after every real value. */
export const SORT_MISSING_DESC = '';

export function toIndexDoc(entry: IndexEntry): IndexDoc {
  switch (entry.kind) {
    case 'token':
      return { p: entry.param, s: entry.system, c: entry.code };
    case 'string':
      return { p: entry.param, f: entry.folded, e: entry.exact };
    case 'date':
      return { p: entry.param, lo: entry.low, hi: entry.high };
    case 'reference':
      return { p: entry.param, r: entry.ref };
    case 'uri':
      return { p: entry.param, u: entry.value };
  }
}

/** The value a parameter sorts on (as SQLite's `COALESCE(low|high, folded, code)`). */
function sortValue(entry: IndexEntry, descending: boolean): string | undefined {
  switch (entry.kind) {
    case 'token':
      return entry.code;
    case 'string':
      return entry.folded;
    case 'date':
      return descending ? entry.high : entry.low;
    case 'uri':
      return entry.value;
    case 'reference':
      return undefined;
  }
}

/** MongoDB (and SQLite) compare strings by their UTF-8 bytes, not by UTF-16 code units. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sort keys for every parameter the type defines; `_id`/`_lastUpdated` sort on `_id`/`ts`. */
export function toSortDocs(
  resourceType: string,
  entries: readonly IndexEntry[],
  parameters: SearchParameterSet,
): Record<string, SortDoc> {
  const out: Record<string, SortDoc> = {};
  for (const definition of parameters[resourceType] ?? []) {
    if (definition.code.startsWith('_') || definition.type === 'reference') continue;
    // A field name: a code with `.` or `$` (none today) could not be a sort path.
    if (/[.$]/.test(definition.code)) continue;
    out[definition.code] = { a: SORT_MISSING_ASC, d: SORT_MISSING_DESC };
  }
  for (const entry of entries) {
    const keys = out[entry.param];
    if (!keys) continue;
    const low = sortValue(entry, false);
    const high = sortValue(entry, true);
    if (low !== undefined && (keys.a === SORT_MISSING_ASC || compareUtf8(low, keys.a) < 0)) {
      keys.a = low;
    }
    if (high !== undefined && compareUtf8(high, keys.d) > 0) keys.d = high;
  }
  return out;
}

/** The current-version document of a stored resource (meta already set). */
export function toResourceDoc(
  resource: Resource,
  entries: readonly IndexEntry[],
  parameters: SearchParameterSet,
): ResourceDoc {
  const id = resource.id ?? '';
  const idx = entries.filter((e) => e.param !== '_id').map(toIndexDoc);
  return {
    _id: id,
    v: Number(resource.meta?.versionId ?? '1'),
    ts: resource.meta?.lastUpdated ?? '',
    del: false,
    pat: patientKeyOf(resource.resourceType, id, idx),
    res: resource,
    idx,
    srt: toSortDocs(resource.resourceType, entries, parameters),
  };
}

/** The tombstone replacing a deleted resource: no content, no index values. */
export function toTombstoneDoc(current: ResourceDoc, version: number, at: string): ResourceDoc {
  return {
    _id: current._id,
    v: version,
    ts: at,
    del: true,
    pat: current.pat,
    res: null,
    idx: [],
    srt: {},
  };
}

export function toHistoryDoc(doc: ResourceDoc): HistoryDoc {
  return { rid: doc._id, v: doc.v, ts: doc.ts, del: doc.del, pat: doc.pat, res: doc.res };
}

/** A resource with the store-assigned id, versionId and lastUpdated. */
export function withMeta<T extends Resource>(
  resource: T,
  id: string,
  version: number,
  now: string,
): T {
  return {
    ...resource,
    id,
    meta: { ...resource.meta, versionId: String(version), lastUpdated: now },
  };
}
