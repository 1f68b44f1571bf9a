import { randomUUID } from 'node:crypto';
import type { Identifier, Resource } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { resources, versions, withSession, type MongoContext } from './context';
import {
  toHistoryDoc,
  toResourceDoc,
  toTombstoneDoc,
  withMeta,
  type ResourceDoc,
} from './documents';
import { ConflictRetry, notFoundMessage } from './driver-errors';

/** Resource reads and writes; writes run inside a transaction (`ctx.session` set). */

export async function createResource<T extends Resource>(
  ctx: MongoContext,
  resource: T,
  id: string = randomUUID(),
): Promise<T> {
  const stored = withMeta(resource, id, 1, ctx.now().toISOString());
  const doc = toResourceDoc(stored, ctx.indexer.extract(stored), ctx.parameters);
  await resources(ctx, stored.resourceType).insertOne(doc, withSession(ctx));
  await versions(ctx, stored.resourceType).insertOne(toHistoryDoc(doc), withSession(ctx));
  return stored;
}

export async function readResource<T extends Resource>(
  ctx: MongoContext,
  type: string,
  id: string,
): Promise<T> {
  const doc = await resources(ctx, type).findOne({ _id: id }, withSession(ctx));
  if (!doc) throw fhirError('DMP-RESOURCE-NOT-FOUND', notFoundMessage(type, id));
  if (doc.del || !doc.res) throw fhirError('DMP-RESOURCE-GONE', `${type}/${id} has been deleted.`);
  return doc.res as T;
}

export async function vreadResource<T extends Resource>(
  ctx: MongoContext,
  type: string,
  id: string,
  versionId: string,
): Promise<T> {
  const current = await resources(ctx, type).findOne(
    { _id: id },
    { ...withSession(ctx), projection: { v: 1 } },
  );
  if (!current) throw fhirError('DMP-RESOURCE-NOT-FOUND', notFoundMessage(type, id));
  const version = Number(versionId);
  const row =
    Number.isInteger(version) && String(version) === versionId
      ? await versions(ctx, type).findOne({ rid: id, v: version }, withSession(ctx))
      : null;
  if (!row) {
    throw fhirError('DMP-RESOURCE-VERSION-NOT-FOUND', `${type}/${id} has no version ${versionId}.`);
  }
  if (row.del || !row.res) {
    throw fhirError('DMP-RESOURCE-GONE', `${type}/${id} version ${versionId} is a deletion.`);
  }
  return row.res as T;
}

export async function updateResource<T extends Resource>(
  ctx: MongoContext,
  resource: T,
  ifMatch: string | undefined,
): Promise<T> {
  const type = resource.resourceType;
  const id = resource.id;
  if (id === undefined) throw new TypeError('update needs resource.id');
  const current = await lockCurrent(ctx, type, id, ifMatch);
  const stored = withMeta(resource, id, current.v + 1, ctx.now().toISOString());
  const doc = toResourceDoc(stored, ctx.indexer.extract(stored), ctx.parameters);
  await replaceCurrent(ctx, type, current, doc);
  return stored;
}

export async function deleteResource(
  ctx: MongoContext,
  type: string,
  id: string,
  ifMatch: string | undefined,
): Promise<void> {
  const current = await lockCurrent(ctx, type, id, ifMatch);
  if (current.del) return;
  await replaceCurrent(
    ctx,
    type,
    current,
    toTombstoneDoc(current, current.v + 1, ctx.now().toISOString()),
  );
}

export async function historyOf<T extends Resource>(
  ctx: MongoContext,
  type: string,
  id: string,
  count: number | undefined,
): Promise<T[]> {
  const current = await resources(ctx, type).findOne(
    { _id: id },
    { ...withSession(ctx), projection: { v: 1 } },
  );
  if (!current) throw fhirError('DMP-RESOURCE-NOT-FOUND', notFoundMessage(type, id));
  if (count !== undefined && count <= 0) return [];
  const cursor = versions(ctx, type)
    .find({ rid: id, del: false }, withSession(ctx))
    .sort({ v: -1 });
  if (count !== undefined) cursor.limit(count);
  const rows = await cursor.toArray();
  return rows.flatMap((row) => (row.res ? [row.res as T] : []));
}

export async function findByIdentifier<T extends Resource>(
  ctx: MongoContext,
  type: string,
  identifier: Identifier,
): Promise<T[]> {
  const params = ctx.indexer.identifierParameters(type);
  if (params.length === 0 || identifier.value === undefined) return [];
  const docs = await resources(ctx, type)
    .find(
      {
        del: false,
        idx: {
          $elemMatch: {
            p: { $in: [...params] },
            c: identifier.value,
            s: identifier.system ?? null,
          },
        },
      },
      withSession(ctx),
    )
    .sort({ _id: 1 })
    .toArray();
  return docs.flatMap((doc) => (doc.res ? [doc.res as T] : []));
}

async function lockCurrent(
  ctx: MongoContext,
  type: string,
  id: string,
  ifMatch: string | undefined,
): Promise<ResourceDoc> {
  const current = await resources(ctx, type).findOne({ _id: id }, withSession(ctx));
  if (!current) throw fhirError('DMP-RESOURCE-NOT-FOUND', notFoundMessage(type, id));
  if (ifMatch !== undefined && ifMatch !== String(current.v)) {
    throw fhirError(
      'DMP-RESOURCE-VERSION-CONFLICT',
      `${type}/${id} is at version ${current.v}, not ${ifMatch}.`,
    );
  }
  return current;
}

/** Replaces the current version only if nobody else did in between, and appends the version. */
async function replaceCurrent(
  ctx: MongoContext,
  type: string,
  current: ResourceDoc,
  next: ResourceDoc,
): Promise<void> {
  const result = await resources(ctx, type).replaceOne(
    writeFilter(current),
    next,
    withSession(ctx),
  );
  if (result.matchedCount !== 1)
    throw new ConflictRetry(`${type}/${current._id} changed concurrently`);
  await versions(ctx, type).insertOne(toHistoryDoc(next), withSession(ctx));
}

/**
 * The current version's write filter: id and version (a lost race matches nothing) and the shard
 * key `pat`, so a sharded cluster routes the write to one shard instead of a two-phase commit
 * across all of them. The replacement may carry another `pat` (MongoDB moves the document).
 */
export function writeFilter(current: Pick<ResourceDoc, '_id' | 'v' | 'pat'>): {
  _id: string;
  v: number;
  pat: string | null;
} {
  return { _id: current._id, v: current.v, pat: current.pat };
}
