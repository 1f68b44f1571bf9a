import type { Resource } from 'fhir/r4';
import type { Filter } from 'mongodb';
import type { SearchPage, SearchQuery } from '@dmp/fhir';
import { resources, withSession, type MongoContext } from './context';
import type { ResourceDoc } from './documents';
import { decodeCursor, encodeCursor } from '@dmp/storage';
import { renderChainLookups, renderSearchFilter, type MongoFilter } from './search/render-filter';
import { renderKeyset, renderSort, sortFields, sortValues } from './search/render-sort';

/**
 * One page of a search: chain lookups first (ids of matching target resources), then the main
 * filter (rendered by the pure `search/` modules), sorted on the precomputed keys with `_id` as
 * tie-breaker, cut with a keyset condition after the cursor's position.
 */
export async function runSearch<T extends Resource>(
  ctx: MongoContext,
  query: SearchQuery,
): Promise<SearchPage<T>> {
  const renderCtx = { indexer: ctx.indexer, now: ctx.now() };
  const fields = sortFields(query.sort);
  // Decode first: a bad cursor is refused before any database work.
  const position = query.cursor ? decodeCursor(query, query.cursor, fields.length) : undefined;
  const targets = new Map<number, string[]>();
  for (const lookup of renderChainLookups(query, renderCtx)) {
    const found = await resources(ctx, lookup.resourceType)
      .find(asFilter(lookup.filter), { ...withSession(ctx), projection: { _id: 1 } })
      .toArray();
    targets.set(
      lookup.index,
      found.map((doc) => `${lookup.resourceType}/${doc._id}`),
    );
  }
  const filter = renderSearchFilter(query, renderCtx, targets);
  const collection = resources(ctx, query.resourceType);
  const page: SearchPage<T> = { resources: [] };
  if (query.total !== 'none' || query.summaryCount) {
    page.total = await collection.countDocuments(asFilter(filter), withSession(ctx));
  }
  const count = Math.min(query.count, ctx.maxCount);
  if (query.summaryCount || count <= 0) return page;

  const paged = position ? { $and: [filter, renderKeyset(fields, position)] } : filter;
  const docs = await collection
    .find(asFilter(paged), {
      ...withSession(ctx),
      sort: renderSort(fields),
      limit: count + 1,
      projection: { res: 1, ts: 1, srt: 1 },
      allowDiskUse: true,
    })
    .toArray();
  const visible = docs.slice(0, count);
  page.resources = visible.flatMap((doc) => (doc.res ? [doc.res as T] : []));
  const last = visible[visible.length - 1];
  if (docs.length > count && last) {
    page.nextCursor = encodeCursor(query, {
      keys: sortValues(fields, last),
      id: last._id,
    });
  }
  return page;
}

/** The rendered filter is plain data the driver accepts as a query document. */
function asFilter(filter: MongoFilter): Filter<ResourceDoc> {
  return filter;
}
