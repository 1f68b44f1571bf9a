import type {
  ChainFilter,
  DateValue,
  ReferenceValue,
  SearchFilter,
  SearchQuery,
  StringFilter,
  TokenFilter,
  TokenValue,
  UriFilter,
  DateFilter,
} from '@dmp/fhir';
import type { Indexer } from '@dmp/storage';

/**
 * Renders the search AST into MongoDB query documents. Pure: no driver call, so every rendering
 * is unit-tested (and evaluated with mingo) without a server.
 *
 * Each filter becomes one `$elemMatch` on the `idx` array (the param and its ORed values matched
 * on the same entry), served by the multikey indexes on `idx.p` + the value field; filters are
 * ANDed. `:not` and `:missing=true` are `$nor` / `$ne` on the same paths.
 */

/** A MongoDB query document (the driver's `Filter<Document>` without depending on it). */
export type MongoFilter = { [key: string]: unknown };

export interface RenderContext {
  indexer: Indexer;
  /** The clock `ap` is relative to. */
  now: Date;
}

/** A chained filter's first step: the target resources to find before the main query. */
export interface ChainLookup {
  /** Position of the chain filter in `query.filters`. */
  index: number;
  /** Collection (resource type) to search. */
  resourceType: string;
  filter: MongoFilter;
}

/** How a collection's documents are told live, and where the logical id is. */
export interface FilterLayout {
  /** Selects the live documents (`{ del: false }`; `{}` for the audit log). */
  base: MongoFilter;
  /** Field holding the logical id (`_id`; `id` in the audit log, whose `_id` is the sequence). */
  idField: string;
}

export const RESOURCE_FILTER_LAYOUT: FilterLayout = { base: { del: false }, idField: '_id' };

/**
 * For each chain filter (by position), the `Type/id` references of the matching targets, or
 * `JOINED` when there were too many to list: the chain is then matched after a `$lookup` stage
 * (`render-chain-join.ts`) and renders as no condition here.
 */
export const JOINED = 'joined';
export type ChainTargets = ReadonlyMap<number, readonly string[] | typeof JOINED>;

type ValueFilter = TokenFilter | StringFilter | DateFilter | UriFilter;

const DAY_MS = 86_400_000;
const NOTHING: MongoFilter = { _id: { $in: [] } };

/** The target lookups a query's chain filters need (run them, then pass the result below). */
export function renderChainLookups(query: SearchQuery, ctx: RenderContext): ChainLookup[] {
  const lookups: ChainLookup[] = [];
  query.filters.forEach((filter, index) => {
    if (filter.kind !== 'chain') return;
    lookups.push({
      index,
      resourceType: filter.targetType,
      filter: {
        $and: [{ del: false }, entryMatch(filter.target.param, valueMatch(filter.target, ctx.now))],
      },
    });
  });
  return lookups;
}

/**
 * The whole query as one filter on the current-resource collection of `query.resourceType` (or
 * on another collection of indexed documents, described by `layout`).
 */
export function renderSearchFilter(
  query: SearchQuery,
  ctx: RenderContext,
  chainTargets: ChainTargets = new Map(),
  layout: FilterLayout = RESOURCE_FILTER_LAYOUT,
): MongoFilter {
  const parts: MongoFilter[] = [layout.base];
  query.filters.forEach((filter, index) => {
    const targets = chainTargets.get(index) ?? [];
    if (targets === JOINED) return;
    parts.push(renderFilter(query.resourceType, filter, ctx, targets, layout.idField));
  });
  return { $and: parts };
}

function renderFilter(
  resourceType: string,
  filter: SearchFilter,
  ctx: RenderContext,
  chainTargets: readonly string[],
  idField: string,
): MongoFilter {
  switch (filter.kind) {
    case 'token': {
      if (filter.param === '_id') return renderIds(filter, idField);
      const match = entryMatch(filter.param, tokenMatch(filter.anyOf));
      return filter.negate ? { $nor: [match] } : match;
    }
    case 'string':
    case 'date':
    case 'uri':
      return entryMatch(filter.param, valueMatch(filter, ctx.now));
    case 'reference':
      return entryMatch(filter.param, referenceMatch(resourceType, filter, ctx.indexer));
    case 'chain':
      return renderChain(filter, ctx, chainTargets);
    case 'missing':
      return filter.missing ? { 'idx.p': { $ne: filter.param } } : { 'idx.p': filter.param };
    case 'any':
      return filter.anyOf.length === 0
        ? NOTHING
        : { $or: filter.anyOf.map((f) => renderFilter(resourceType, f, ctx, [], idField)) };
  }
}

/** `{ idx: { $elemMatch: { p, …match } } }`; an impossible match renders as "nothing". */
function entryMatch(param: string, match: MongoFilter | undefined): MongoFilter {
  if (match === undefined) return NOTHING;
  return { idx: { $elemMatch: { p: param, ...match } } };
}

function renderIds(filter: TokenFilter, idField: string): MongoFilter {
  const ids = filter.anyOf.flatMap((v) => (v.code === undefined ? [] : [v.code]));
  return { [idField]: filter.negate ? { $nin: ids } : { $in: ids } };
}

/**
 * `patient.identifier=…`: the chain values indexed at write time (contained targets, logical
 * identifiers) or a reference to a stored target found by the chain lookup.
 */
function renderChain(
  filter: ChainFilter,
  ctx: RenderContext,
  targets: readonly string[],
): MongoFilter {
  const stored = entryMatch(filter.param, { r: { $in: [...targets] } });
  return { $or: [chainIndexedMatch(filter, ctx), stored] };
}

/** The chain's values indexed at write time on the resource itself (contained, logical). */
export function chainIndexedMatch(filter: ChainFilter, ctx: RenderContext): MongoFilter {
  return entryMatch(`${filter.param}.${filter.target.param}`, valueMatch(filter.target, ctx.now));
}

/** The match on one index entry (without `p`), or undefined when nothing can match. */
function valueMatch(filter: ValueFilter, now: Date): MongoFilter | undefined {
  switch (filter.kind) {
    case 'token': {
      const match = tokenMatch(filter.anyOf);
      if (!filter.negate) return match;
      // Inside a chain (as in SQLite): an entry of the param whose value does not match.
      return match === undefined ? {} : { $nor: [match] };
    }
    case 'string':
      return anyOf(filter.anyOf.map((value) => stringMatch(filter.match, value)));
    case 'date':
      return anyOf(filter.anyOf.map((value) => dateMatch(value, now)));
    case 'uri':
      return anyOf(filter.anyOf.map((value) => uriMatch(filter.match, value)));
  }
}

function anyOf(alternatives: MongoFilter[]): MongoFilter | undefined {
  if (alternatives.length === 0) return undefined;
  if (alternatives.length === 1) return alternatives[0];
  return { $or: alternatives };
}

function tokenMatch(values: TokenValue[]): MongoFilter | undefined {
  return anyOf(
    values.map((value): MongoFilter => {
      const match: MongoFilter = {};
      if (value.code !== undefined) match.c = value.code;
      if (value.system !== undefined) match.s = value.system;
      return Object.keys(match).length === 0 ? { c: { $exists: true } } : match;
    }),
  );
}

function stringMatch(match: StringFilter['match'], value: string): MongoFilter {
  switch (match) {
    case 'exact':
      return { e: value };
    case 'starts-with':
      return { f: { $regex: `^${escapeRegex(value)}` } };
    case 'contains':
      return { f: { $regex: escapeRegex(value) } };
  }
}

function uriMatch(match: UriFilter['match'], value: string): MongoFilter {
  switch (match) {
    case 'exact':
      return { u: value };
    case 'below':
      return { u: { $regex: `^${escapeRegex(value)}` } };
    case 'above':
      // The stored uri is a prefix of the value: an `$in` over the value's prefixes (indexed).
      return { u: { $in: prefixes(value) } };
  }
}

function prefixes(value: string): string[] {
  const chars = Array.from(value);
  return chars.map((_, i) => chars.slice(0, chars.length - i).join('')).concat('');
}

/**
 * FHIR date prefixes on the entry range [lo, hi) against the value range [vl, vh), exactly as the
 * SQLite adapter: eq inside; ne not inside; gt hi > vh; lt lo < vl; ge hi > vl; le lo < vh;
 * sa lo ≥ vh; eb hi ≤ vl; ap overlaps the value widened by 10% of its distance to now (≥ 1 day).
 */
function dateMatch(value: DateValue, now: Date): MongoFilter {
  switch (value.prefix) {
    case 'eq':
      return { lo: { $gte: value.low }, hi: { $lte: value.high } };
    case 'ne':
      return { $or: [{ lo: { $lt: value.low } }, { hi: { $gt: value.high } }] };
    case 'gt':
      return { hi: { $gt: value.high } };
    case 'lt':
      return { lo: { $lt: value.low } };
    case 'ge':
      return { hi: { $gt: value.low } };
    case 'le':
      return { lo: { $lt: value.high } };
    case 'sa':
      return { lo: { $gte: value.high } };
    case 'eb':
      return { hi: { $lte: value.low } };
    case 'ap': {
      const low = Date.parse(value.low);
      const tolerance = Math.max(DAY_MS, Math.abs(now.getTime() - low) * 0.1);
      return {
        lo: { $lt: shift(value.high, tolerance) },
        hi: { $gt: shift(value.low, -tolerance) },
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
  filter: { param: string; anyOf: ReferenceValue[] },
  indexer: Indexer,
): MongoFilter | undefined {
  const targets = indexer.parameter(resourceType, filter.param)?.targets ?? [];
  const exact: string[] = [];
  const suffixes: MongoFilter[] = [];
  for (const value of filter.anyOf) {
    if (value.type !== undefined && value.id !== undefined) exact.push(`${value.type}/${value.id}`);
    else if (value.id !== undefined && targets.length > 0) {
      exact.push(...targets.map((t) => `${t}/${value.id ?? ''}`));
    } else if (value.id !== undefined) {
      suffixes.push({ r: { $regex: `/${escapeRegex(value.id)}$` } });
    } else if (value.url !== undefined) exact.push(value.url);
  }
  const alternatives =
    exact.length > 0 ? [{ r: exact.length === 1 ? exact[0] : { $in: exact } }] : [];
  return anyOf([...alternatives, ...suffixes]);
}

export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
