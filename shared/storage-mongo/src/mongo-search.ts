import type { Resource } from 'fhir/r4';
import type { Document, Filter } from 'mongodb';
import type { SearchPage, SearchQuery } from '@dmp/fhir';
import { decodeCursor, encodeCursor } from '@dmp/storage';
import { resources, withSession, type MongoContext } from './context';
import type { ResourceDoc } from './documents';
import { INS_SYSTEM, patientScope, referencedPatient, renderPatientScope } from './patient-key';
import { CHAIN_IN_LIMIT, renderChainJoin } from './search/render-chain-join';
import {
  JOINED,
  renderChainLookups,
  renderSearchFilter,
  type ChainTargets,
  type MongoFilter,
} from './search/render-filter';
import { renderKeyset, renderSort, sortFields, sortValues } from './search/render-sort';

/**
 * One page of a search: chain lookups first (ids of matching target resources, at most
 * `chainInLimit`; more are joined on the server), then the main filter (rendered by the pure
 * `search/` modules, with the patient shard key when the query names one patient), sorted on the
 * precomputed keys with `_id` as tie-breaker, cut with a keyset condition after the cursor.
 */
export async function runSearch<T extends Resource>(
  ctx: MongoContext,
  query: SearchQuery,
): Promise<SearchPage<T>> {
  const renderCtx = { indexer: ctx.indexer, now: ctx.now() };
  const fields = sortFields(query.sort);
  // Decode first: a bad cursor is refused before any database work.
  const position = query.cursor ? decodeCursor(query, query.cursor, fields.length) : undefined;
  const limit = ctx.chainInLimit ?? CHAIN_IN_LIMIT;
  const targets = new Map<number, readonly string[] | typeof JOINED>();
  for (const lookup of renderChainLookups(query, renderCtx)) {
    const found = await resources(ctx, lookup.resourceType)
      .find(asFilter(lookup.filter), {
        ...withSession(ctx),
        projection: { _id: 1 },
        limit: limit + 1,
      })
      .toArray();
    targets.set(
      lookup.index,
      found.length > limit ? JOINED : found.map((doc) => `${lookup.resourceType}/${doc._id}`),
    );
  }
  const scope = patientScope(query, {
    chainTargets: new Map([...targets].map(([i, t]) => [i, t === JOINED ? undefined : t])),
    patientIns: await storedPatientIns(ctx, query),
  });
  const rendered = renderSearchFilter(query, renderCtx, targets);
  const filter = scope ? { $and: [rendered, renderPatientScope(scope)] } : rendered;
  const joined = [...targets].flatMap(([index, t]) => (t === JOINED ? [index] : []));
  const page: SearchPage<T> = { resources: [] };
  const count = Math.min(query.count, ctx.maxCount);
  const keyset = position ? [renderKeyset(fields, position)] : [];
  const projection = { res: 1, ts: 1, srt: 1 };
  let docs: ResourceDoc[];
  const collection = resources(ctx, query.resourceType);
  if (joined.length === 0) {
    if (query.total !== 'none' || query.summaryCount) {
      page.total = await collection.countDocuments(asFilter(filter), withSession(ctx));
    }
    if (query.summaryCount || count <= 0) return page;
    docs = await collection
      .find(asFilter(keyset.length > 0 ? { $and: [filter, ...keyset] } : filter), {
        ...withSession(ctx),
        sort: renderSort(fields),
        limit: count + 1,
        projection,
        allowDiskUse: true,
      })
      .toArray();
  } else {
    const join = renderChainJoin(query, renderCtx, joined);
    const matched: Document[] = [{ $match: filter }, ...join.stages, { $match: join.match }];
    if (query.total !== 'none' || query.summaryCount) {
      const [counted] = await collection
        .aggregate<{ n: number }>([...matched, { $count: 'n' }], withSession(ctx))
        .toArray();
      page.total = counted?.n ?? 0;
    }
    if (query.summaryCount || count <= 0) return page;
    docs = await collection
      .aggregate<ResourceDoc>(
        [
          ...matched,
          ...keyset.map((k) => ({ $match: k })),
          { $sort: Object.fromEntries(renderSort(fields)) },
          { $limit: count + 1 },
          { $project: projection },
        ],
        { ...withSession(ctx), allowDiskUse: true },
      )
      .toArray();
  }
  const visible = docs.slice(0, count);
  page.resources = visible.flatMap((doc) => (doc.res ? [doc.res as T] : []));
  const last = visible[visible.length - 1];
  if (docs.length > count && last) {
    page.nextCursor = encodeCursor(query, { keys: sortValues(fields, last), id: last._id });
  }
  return page;
}

/**
 * INS values of the Patients that reference filters name, when this store keeps them (the
 * consent service does), so a `patient=Patient/x` search can be targeted at x's shard.
 */
async function storedPatientIns(
  ctx: MongoContext,
  query: SearchQuery,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!ctx.parameters.Patient) return out;
  for (const filter of query.filters) {
    const patient = referencedPatient(filter);
    if (patient === undefined || out.has(patient)) continue;
    const doc = await resources(ctx, 'Patient').findOne(
      { _id: patient.slice('Patient/'.length), del: false },
      { ...withSession(ctx), projection: { idx: 1 } },
    );
    if (!doc) continue;
    out.set(
      patient,
      doc.idx.flatMap((e) => ('c' in e && e.p === 'identifier' && e.s === INS_SYSTEM ? [e.c] : [])),
    );
  }
  return out;
}

/** The rendered filter is plain data the driver accepts as a query document. */
function asFilter(filter: MongoFilter): Filter<ResourceDoc> {
  return filter;
}

export type { ChainTargets };
