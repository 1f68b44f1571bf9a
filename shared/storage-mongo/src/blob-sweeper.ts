import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { BLOBS, GRIDFS_BUCKET, LEASES } from './collections';
import type { MongoContext } from './context';
import { isDuplicateKey } from './driver-errors';
import { bucketOf, type BlobDoc } from './mongo-blob-store';

/**
 * Collects staged GridFS files that no blob metadata references: uploads of a process that
 * crashed before its transaction ended, and files kept after a commit with an unknown outcome.
 * Only files older than `graceMs` are considered (a transaction lives 60 s at most, so a younger
 * file may still be recorded). Each sweep reads the `_id` range (ObjectIds start with their
 * creation time) since the previous sweep's mark, so it reads each file once. One instance
 * sweeps at a time: it holds the lease, timed by the server's clock (`$$NOW`).
 */
export const SWEEPER_LEASE = 'blob-sweeper';

export interface BlobSweepOptions {
  /** Time between sweeps (default one hour). */
  intervalMs?: number;
  /** Age a staged file must reach before it may be collected (default one hour). */
  graceMs?: number;
}

interface LeaseDoc {
  _id: string;
  owner: string | null;
  until: Date;
  /** Files below this id were swept. */
  mark: ObjectId | null;
}

const leases = (ctx: MongoContext) => ctx.db.collection<LeaseDoc>(LEASES);
const BATCH = 500;

/** Created at start (never by racing upserts later). */
export async function ensureSweeperLease(ctx: MongoContext): Promise<void> {
  await leases(ctx)
    .insertOne({ _id: SWEEPER_LEASE, owner: null, until: new Date(0), mark: null })
    .catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
}

/** Takes (or renews) the lease when it is free or already ours; the lease doc, or null. */
export function acquireLease(
  ctx: MongoContext,
  owner: string,
  leaseMs: number,
): Promise<LeaseDoc | null> {
  return leases(ctx).findOneAndUpdate(
    { _id: SWEEPER_LEASE, $or: [{ owner }, { $expr: { $lte: ['$until', '$$NOW'] } }] },
    [{ $set: { owner, until: { $add: ['$$NOW', leaseMs] } } }],
    { returnDocument: 'after' },
  );
}

/** One sweep under the lease; how many files it removed, or undefined when another holds it. */
export async function sweepStagedFiles(
  ctx: MongoContext,
  owner: string,
  graceMs: number,
  leaseMs: number,
): Promise<number | undefined> {
  const lease = await acquireLease(ctx, owner, leaseMs);
  if (!lease) return undefined;
  const from = lease.mark ?? new ObjectId('000000000000000000000000');
  const until = ObjectId.createFromTime(Math.floor((ctx.now().getTime() - graceMs) / 1000));
  if (until.toHexString() <= from.toHexString()) return 0;
  const range = { $gt: from, $lt: until };
  const candidates = [
    ...(await idsIn(ctx, `${GRIDFS_BUCKET}.files`, { _id: range }, '_id')),
    ...(await idsIn(ctx, `${GRIDFS_BUCKET}.chunks`, { files_id: range, n: 0 }, 'files_id')),
  ];
  const seen = new Set<string>();
  let removed = 0;
  for (const file of candidates) {
    if (seen.has(file.toHexString())) continue;
    seen.add(file.toHexString());
    const referenced = await ctx.db
      .collection<BlobDoc>(BLOBS)
      .findOne({ file }, { projection: { _id: 1 } });
    if (referenced) continue;
    await bucketOf(ctx)
      .delete(file)
      .catch(() => undefined); // chunks without a files document: deleted, then "not found"
    removed += 1;
  }
  await leases(ctx).updateOne({ _id: SWEEPER_LEASE, owner }, { $set: { mark: until } });
  return removed;
}

async function idsIn(
  ctx: MongoContext,
  collection: string,
  filter: object,
  field: '_id' | 'files_id',
): Promise<ObjectId[]> {
  const out: ObjectId[] = [];
  let after: ObjectId | undefined;
  for (;;) {
    const page = await ctx.db
      .collection(collection)
      .find(after ? { $and: [filter, { [field]: { $gt: after } }] } : filter, {
        projection: { [field]: 1 },
        sort: { [field]: 1 },
        limit: BATCH,
      })
      .toArray();
    for (const doc of page) out.push(doc[field] as ObjectId);
    const last = page[page.length - 1];
    if (!last || page.length < BATCH) return out;
    after = last[field] as ObjectId;
  }
}

/** Sweeps every `intervalMs` (timer unref'd); `stop` waits for a sweep in progress. */
export function startBlobSweeper(
  ctx: MongoContext,
  options: BlobSweepOptions,
  onError: (error: unknown) => void = () => undefined,
): { stop: () => Promise<void> } {
  const intervalMs = options.intervalMs ?? 3_600_000;
  const graceMs = options.graceMs ?? 3_600_000;
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepStagedFiles(ctx, owner, graceMs, intervalMs * 2).catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
