import type { Db, IndexDescription } from 'mongodb';

/**
 * Collection names and the indexes created (idempotently: `createIndexes` with the same
 * definitions is a no-op, an existing collection is kept) when a store opens.
 */
export const OUTBOX = 'outbox';
export const BLOBS = 'blobs';
/** `claimUnique` keys (`_id` = `{ n, k }`). */
export const CLAIMS = 'unique_claims';
/** Leases of background jobs run by one instance at a time (the blob sweeper). */
export const LEASES = 'leases';
/** Markers of one-off migrations (`pat` recomputation). */
export const META = 'meta';
/** The change feed (`_id` = seq) and its followers' leases (`ports.ts`, `ChangeFeed`). */
export const CHANGE_FEED = 'change_feed';
export const FEED_FOLLOWERS = 'feed_followers';
/** GridFS bucket name: `<bucket>.files` and `<bucket>.chunks`. */
export const GRIDFS_BUCKET = 'blob_bytes';

export const historyCollection = (resourceType: string): string => `${resourceType}_history`;

/**
 * Resource collections: one multikey index per value kind, each starting with the parameter so
 * an `$elemMatch: { p, … }` gets tight bounds on both fields; `del` + `ts` for the default order;
 * `pat` (the patient compartment, the shard key) for patient-scoped queries.
 */
export const RESOURCE_INDEXES: IndexDescription[] = [
  { key: { 'idx.p': 1, 'idx.c': 1, 'idx.s': 1 }, name: 'idx_token' },
  { key: { 'idx.p': 1, 'idx.f': 1 }, name: 'idx_string_folded' },
  { key: { 'idx.p': 1, 'idx.e': 1 }, name: 'idx_string_exact' },
  { key: { 'idx.p': 1, 'idx.lo': 1, 'idx.hi': 1 }, name: 'idx_date' },
  { key: { 'idx.p': 1, 'idx.r': 1 }, name: 'idx_reference' },
  { key: { 'idx.p': 1, 'idx.u': 1 }, name: 'idx_uri' },
  { key: { del: 1, ts: -1, _id: -1 }, name: 'current_by_time' },
  { key: { pat: 1, ts: -1 }, name: 'by_patient' },
];

export const HISTORY_INDEXES: IndexDescription[] = [
  { key: { rid: 1, v: -1 }, name: 'version', unique: true },
];

export const OUTBOX_INDEXES: IndexDescription[] = [
  { key: { topic: 1, lease: 1, _id: 1 }, name: 'claimable' },
];

/** The blob sweeper asks which metadata references a staged file. */
export const BLOB_INDEXES: IndexDescription[] = [{ key: { file: 1 }, name: 'by_file' }];

/** Feed entries are read by number; the numbering finds those without one, oldest `_id` first. */
export const CHANGE_FEED_INDEXES: IndexDescription[] = [
  { key: { seq: 1, _id: 1 }, name: 'by_seq' },
];

export async function ensureIndexes(db: Db, resourceTypes: readonly string[]): Promise<void> {
  const jobs: Promise<unknown>[] = [];
  for (const type of resourceTypes) {
    jobs.push(db.collection(type).createIndexes(RESOURCE_INDEXES));
    jobs.push(db.collection(historyCollection(type)).createIndexes(HISTORY_INDEXES));
  }
  jobs.push(db.collection(OUTBOX).createIndexes(OUTBOX_INDEXES));
  jobs.push(db.collection(BLOBS).createIndexes(BLOB_INDEXES));
  jobs.push(db.collection(CHANGE_FEED).createIndexes(CHANGE_FEED_INDEXES));
  for (const name of [CLAIMS, LEASES, META, FEED_FOLLOWERS]) jobs.push(ensureCollection(db, name));
  await Promise.all(jobs);
}

/**
 * Creates a collection unless it exists. Collections are created at start rather than implicitly
 * by a first write inside a transaction, which a cross-shard transaction cannot do.
 */
export async function ensureCollection(db: Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (error) {
    if ((error as { code?: unknown }).code !== NAMESPACE_EXISTS) throw error;
  }
}

const NAMESPACE_EXISTS = 48;
