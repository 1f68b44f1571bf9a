import type {
  ChainFilter,
  DateValue,
  ReferenceValue,
  SearchFilter,
  StringFilter,
  TokenFilter,
  UriFilter,
  DateFilter,
} from '@dmp/fhir';
import type { Indexer } from '@dmp/storage';

/** A SQL fragment and its bound parameters (values are never concatenated into SQL). */
export interface Fragment {
  sql: string;
  params: unknown[];
}

type ValueFilter = TokenFilter | StringFilter | DateFilter | UriFilter;

/**
 * The tables a search runs over: the row table aliased `r` keyed by `key`, and its index table
 * (same columns as `search_index`) with its `(key, param)` index. `resources` (the current
 * resources table) lets chains also match stored target resources; without it chains match the
 * values indexed at write time only (the audit log keeps no Patient resources).
 */
export interface SearchTables {
  index: string;
  indexByRow: string;
  key: string;
  resources?: string;
  /**
   * Whether a qualified token filter may drive the search ({@link drivingFilter}). Not for the
   * audit log: its searches scan newest first and stop at the page, which a token set matching
   * millions of events would defeat.
   */
  tokensDrive?: boolean;
  /**
   * A condition every chain row meets, added to chain searches (without stored targets) so that
   * the planner may use value indexes that hold chain rows only (the audit log's).
   */
  chainRow?: string;
}

/** The resource store's tables. */
export const RESOURCE_TABLES: SearchTables = {
  index: 'search_index',
  indexByRow: 'search_index_by_resource',
  key: 'rid',
  resources: 'resources',
  tokensDrive: true,
};

const DAY_MS = 86_400_000;

/** Read from the resource row itself, never written to the index (see `lastUpdatedMatch`). */
export const LAST_UPDATED = '_lastUpdated';

/**
 * The filter a search is driven from: the first reference filter (typically `patient`), else the
 * first positive token filter whose every value names both system and code (the `dmp-patient`
 * key the documents service puts first, an identifier): both select few rows through an index,
 * where `status=current` or a bare code may select nearly all. -1: none.
 */
export function drivingFilter(
  filters: readonly SearchFilter[],
  tables: SearchTables = RESOURCE_TABLES,
): number {
  const reference = filters.findIndex((f) => f.kind === 'reference');
  if (reference >= 0 || !tables.tokensDrive) return reference;
  return filters.findIndex(
    (f) =>
      f.kind === 'token' &&
      !f.negate &&
      f.param !== '_id' &&
      f.anyOf.length > 0 &&
      f.anyOf.every((v) => typeof v.system === 'string' && v.code !== undefined),
  );
}

/**
 * Renders the ANDed filters as conditions on the current-resource row `r`. Each filter becomes
 * one `EXISTS`/`IN` subquery on `search_index` with its ORed values inside. The driving filter
 * ({@link drivingFilter}) becomes `r.rid IN (…)` so SQLite starts from that index (the cost of a
 * search follows the patient's documents, not the table); the others are correlated `EXISTS`
 * probes on (rid, param).
 */
export function renderFilters(
  resourceType: string,
  filters: SearchFilter[],
  indexer: Indexer,
  now: Date,
  tables: SearchTables = RESOURCE_TABLES,
): Fragment {
  const parts: Fragment[] = [];
  const driver = drivingFilter(filters, tables);
  filters.forEach((filter, index) => {
    parts.push(renderFilter(resourceType, filter, indexer, now, index === driver, tables));
  });
  return join(parts, ' AND ');
}

function renderFilter(
  resourceType: string,
  filter: SearchFilter,
  indexer: Indexer,
  now: Date,
  drive: boolean,
  t: SearchTables,
): Fragment {
  switch (filter.kind) {
    case 'token':
      if (filter.param === '_id') return renderIds(filter);
      if (drive) return driving(filter.param, tokenMatch(filter, 's'), t);
      return exists(filter.param, tokenMatch(filter, 's'), filter.negate, t);
    case 'date':
      if (filter.param === LAST_UPDATED && t.resources !== undefined) {
        return join(
          filter.anyOf.map((v) => lastUpdatedMatch(v, now)),
          ' OR ',
        );
      }
      return exists(filter.param, valueMatch(filter, 's', now), false, t);
    case 'string':
    case 'uri':
      return exists(filter.param, valueMatch(filter, 's', now), false, t);
    case 'reference': {
      const match = referenceMatch(resourceType, filter.param, filter.anyOf, indexer, 's');
      return drive ? driving(filter.param, match, t) : exists(filter.param, match, false, t);
    }
    case 'chain':
      return renderChain(filter, now, t);
    case 'missing':
      if (filter.param === LAST_UPDATED && t.resources !== undefined) {
        return { sql: filter.missing ? '0' : '1', params: [] };
      }
      return {
        sql: `${filter.missing ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${t.index} s INDEXED BY ${t.indexByRow} WHERE s.${t.key} = r.${t.key} AND s.param = ?)`,
        params: [filter.param],
      };
    case 'any': // alternatives, each in parentheses ('0' when none)
      return join(
        filter.anyOf.map((f) => renderFilter(resourceType, f, indexer, now, false, t)),
        ' OR ',
      );
  }
}

function exists(param: string, match: Fragment, negate: boolean, t: SearchTables): Fragment {
  return {
    sql: `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${t.index} s INDEXED BY ${t.indexByRow} WHERE s.${t.key} = r.${t.key} AND s.param = ? AND (${match.sql}))`,
    params: [param, ...match.params],
  };
}

function driving(param: string, match: Fragment, t: SearchTables): Fragment {
  return {
    sql: `r.${t.key} IN (SELECT s.${t.key} FROM ${t.index} s WHERE s.param = ? AND (${match.sql}))`,
    params: [param, ...match.params],
  };
}

function renderIds(filter: TokenFilter): Fragment {
  const ids = filter.anyOf.flatMap((v) => (v.code === undefined ? [] : [v.code]));
  if (ids.length === 0) return { sql: filter.negate ? '1' : '0', params: [] };
  return {
    sql: `r.id ${filter.negate ? 'NOT ' : ''}IN (${ids.map(() => '?').join(', ')})`,
    params: ids,
  };
}

/**
 * `patient.identifier=…`: the chain values indexed at write time (contained targets, logical
 * identifiers) or a stored target resource of `targetType` matching the target filter.
 */
function renderChain(filter: ChainFilter, now: Date, t: SearchTables): Fragment {
  const target = filter.target;
  const indexed = valueMatch(target, 's', now);
  if (t.resources === undefined) {
    return {
      sql: `r.${t.key} IN (SELECT s.${t.key} FROM ${t.index} s WHERE s.param = ? AND ${t.chainRow ?? '1'} AND (${indexed.sql}))`,
      params: [`${filter.param}.${target.param}`, ...indexed.params],
    };
  }
  const stored = valueMatch(target, 't', now);
  return {
    sql:
      'r.rid IN (SELECT s.rid FROM search_index s WHERE s.param = ? AND (' +
      indexed.sql +
      ') UNION SELECT s.rid FROM search_index s WHERE s.param = ? AND s.ref IN (' +
      'SELECT ? || rt.id FROM search_index t JOIN resources rt ON rt.rid = t.rid ' +
      'WHERE rt.type = ? AND rt.deleted = 0 AND t.param = ? AND (' +
      stored.sql +
      ')))',
    params: [
      `${filter.param}.${target.param}`,
      ...indexed.params,
      filter.param,
      `${filter.targetType}/`,
      filter.targetType,
      target.param,
      ...stored.params,
    ],
  };
}

function valueMatch(filter: ValueFilter, alias: string, now: Date): Fragment {
  switch (filter.kind) {
    case 'token':
      return filter.negate
        ? {
            sql: `NOT (${tokenMatch(filter, alias).sql})`,
            params: tokenMatch(filter, alias).params,
          }
        : tokenMatch(filter, alias);
    case 'string':
      return stringMatch(filter, alias);
    case 'date':
      return join(
        filter.anyOf.map((v) => dateMatch(v, alias, now)),
        ' OR ',
      );
    case 'uri':
      return uriMatch(filter, alias);
  }
}

function tokenMatch(filter: TokenFilter, a: string): Fragment {
  return join(
    filter.anyOf.map((value): Fragment => {
      const parts: Fragment[] = [];
      if (value.code !== undefined) parts.push({ sql: `${a}.code = ?`, params: [value.code] });
      if (value.system === null) parts.push({ sql: `${a}.system IS NULL`, params: [] });
      else if (value.system !== undefined) {
        parts.push({ sql: `${a}.system = ?`, params: [value.system] });
      }
      return parts.length === 0
        ? { sql: `${a}.code IS NOT NULL`, params: [] }
        : join(parts, ' AND ');
    }),
    ' OR ',
  );
}

function stringMatch(filter: StringFilter, a: string): Fragment {
  return join(
    filter.anyOf.map((value): Fragment => {
      switch (filter.match) {
        case 'exact':
          return { sql: `${a}.value_exact = ?`, params: [value] };
        case 'starts-with':
          return { sql: `${a}.value_folded LIKE ? ESCAPE '\\'`, params: [`${escapeLike(value)}%`] };
        case 'contains':
          return {
            sql: `${a}.value_folded LIKE ? ESCAPE '\\'`,
            params: [`%${escapeLike(value)}%`],
          };
      }
    }),
    ' OR ',
  );
}

function uriMatch(filter: UriFilter, a: string): Fragment {
  return join(
    filter.anyOf.map((value): Fragment => {
      switch (filter.match) {
        case 'exact':
          return { sql: `${a}.code = ?`, params: [value] };
        // FHIR uris compare case-sensitively; LIKE would ignore ASCII case.
        case 'below':
          return { sql: `substr(${a}.code, 1, length(?)) = ?`, params: [value, value] };
        case 'above':
          return { sql: `substr(?, 1, length(${a}.code)) = ${a}.code`, params: [value] };
      }
    }),
    ' OR ',
  );
}

/**
 * FHIR date prefixes on the resource range [L, H) against the value range [vl, vh):
 * eq: L ≥ vl and H ≤ vh (inside); ne: not inside; gt: H > vh; lt: L < vl; ge: H > vl;
 * le: L < vh; sa: L ≥ vh; eb: H ≤ vl; ap: overlaps the value widened on both sides by 10% of
 * its distance from now, at least one day.
 */
function dateMatch(value: DateValue, a: string, now: Date): Fragment {
  const L = `${a}.low`;
  const H = `${a}.high`;
  switch (value.prefix) {
    case 'eq':
      return { sql: `(${L} >= ? AND ${H} <= ?)`, params: [value.low, value.high] };
    case 'ne':
      return { sql: `NOT (${L} >= ? AND ${H} <= ?)`, params: [value.low, value.high] };
    case 'gt':
      return { sql: `${H} > ?`, params: [value.high] };
    case 'lt':
      return { sql: `${L} < ?`, params: [value.low] };
    case 'ge':
      return { sql: `${H} > ?`, params: [value.low] };
    case 'le':
      return { sql: `${L} < ?`, params: [value.high] };
    case 'sa':
      return { sql: `${L} >= ?`, params: [value.high] };
    case 'eb':
      return { sql: `${H} <= ?`, params: [value.low] };
    case 'ap': {
      const low = Date.parse(value.low);
      const tolerance = Math.max(DAY_MS, Math.abs(now.getTime() - low) * 0.1);
      return {
        sql: `(${L} < ? AND ${H} > ?)`,
        params: [shift(value.high, tolerance), shift(value.low, -tolerance)],
      };
    }
  }
}

/**
 * `_lastUpdated` is the row's `last_updated` column (an ISO instant to the millisecond), not an
 * index entry: the range it covers is [t, t + 1 ms), so each prefix of {@link dateMatch} reads
 * with L = t and H > v ⇔ t ≥ v, H ≤ v ⇔ t < v (ISO instants compare as text).
 */
function lastUpdatedMatch(value: DateValue, now: Date): Fragment {
  const t = 'r.last_updated';
  switch (value.prefix) {
    case 'eq':
      return { sql: `(${t} >= ? AND ${t} < ?)`, params: [value.low, value.high] };
    case 'ne':
      return { sql: `NOT (${t} >= ? AND ${t} < ?)`, params: [value.low, value.high] };
    case 'gt':
    case 'sa':
      return { sql: `${t} >= ?`, params: [value.high] };
    case 'lt':
    case 'eb':
      return { sql: `${t} < ?`, params: [value.low] };
    case 'ge':
      return { sql: `${t} >= ?`, params: [value.low] };
    case 'le':
      return { sql: `${t} < ?`, params: [value.high] };
    case 'ap': {
      const low = Date.parse(value.low);
      const tolerance = Math.max(DAY_MS, Math.abs(now.getTime() - low) * 0.1);
      return {
        sql: `(${t} < ? AND ${t} >= ?)`,
        params: [shift(value.high, tolerance), shift(value.low, -tolerance)],
      };
    }
  }
}

function shift(instant: string, ms: number): string {
  const time = Date.parse(instant) + ms;
  const clamped = Math.min(
    Math.max(time, Date.UTC(1, 0, 1)),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  );
  return new Date(clamped).toISOString();
}

function referenceMatch(
  resourceType: string,
  param: string,
  values: ReferenceValue[],
  indexer: Indexer,
  a: string,
): Fragment {
  const targets = indexer.parameter(resourceType, param)?.targets ?? [];
  return join(
    values.map((value): Fragment => {
      if (value.type !== undefined && value.id !== undefined) {
        return { sql: `${a}.ref = ?`, params: [`${value.type}/${value.id}`] };
      }
      if (value.id !== undefined) {
        if (targets.length > 0) {
          return {
            sql: `${a}.ref IN (${targets.map(() => '?').join(', ')})`,
            params: targets.map((t) => `${t}/${value.id}`),
          };
        }
        // Ids are case-sensitive: the reference ends with `/<id>` exactly.
        const suffix = `/${value.id}`;
        return { sql: `substr(${a}.ref, -length(?)) = ?`, params: [suffix, suffix] };
      }
      if (value.url !== undefined) return { sql: `${a}.ref = ?`, params: [value.url] };
      return { sql: '0', params: [] };
    }),
    ' OR ',
  );
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function join(parts: Fragment[], separator: string): Fragment {
  if (parts.length === 0) return { sql: separator === ' OR ' ? '0' : '1', params: [] };
  return {
    sql: parts.map((p) => `(${p.sql})`).join(separator),
    params: parts.flatMap((p) => p.params),
  };
}
