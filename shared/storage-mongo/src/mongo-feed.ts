import type { FeedEntry, FeedFollower } from '@dmp/storage';
import { CHANGE_FEED, FEED_FOLLOWERS, META } from './collections';
import { withSession, type MongoContext } from './context';
import { isDuplicateKey } from './driver-errors';

/**
 * The change feed. `seq` comes from one counter document incremented inside the appending
 * transaction: two appends write the same document, so MongoDB's write conflict makes the
 * second run again after the first committed. Sequence order is therefore commit order, and an
 * aborted append takes its number back (no gap). Entries are keyed by `seq`. Leases are timed by
 * the server's clock (`$$NOW`), never an instance's.
 */
export const FEED_COUNTER = 'change-feed-seq';

interface CounterDoc {
  _id: string;
  seq: number;
}

interface EntryDoc {
  _id: number;
  /** The payload as JSON text (exactly what SQLite stores). */
  json: string;
  at: string;
}

interface FollowerDoc {
  _id: string;
  acked: number;
  /** Lease end, by the server's clock. */
  until: Date;
}

/** Followers whose lease ended this long ago are forgotten. */
export const FORGET_FOLLOWER_MS = 3_600_000;

const counters = (ctx: MongoContext) => ctx.db.collection<CounterDoc>(META);
const entries = (ctx: MongoContext) => ctx.db.collection<EntryDoc>(CHANGE_FEED);
const followers = (ctx: MongoContext) => ctx.db.collection<FollowerDoc>(FEED_FOLLOWERS);

/** Created at start (never by racing upserts in transactions later). */
export async function ensureFeedCounter(ctx: Pick<MongoContext, 'db'>): Promise<void> {
  await ctx.db
    .collection<CounterDoc>(META)
    .insertOne({ _id: FEED_COUNTER, seq: 0 })
    .catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
}

/** Inside a transaction: the entry commits or rolls back with the data. */
export async function appendEntry(ctx: MongoContext, payload: unknown): Promise<number> {
  const counter = await counters(ctx).findOneAndUpdate(
    { _id: FEED_COUNTER },
    { $inc: { seq: 1 } },
    { ...withSession(ctx), returnDocument: 'after' },
  );
  if (!counter) throw new Error('The change feed counter is missing (the store was not prepared)');
  await entries(ctx).insertOne(
    { _id: counter.seq, json: JSON.stringify(payload ?? null), at: ctx.now().toISOString() },
    withSession(ctx),
  );
  return counter.seq;
}

export async function readEntries(
  ctx: MongoContext,
  after: number,
  limit: number,
): Promise<FeedEntry[]> {
  if (limit <= 0) return [];
  const docs = await entries(ctx)
    .find({ _id: { $gt: after } }, withSession(ctx))
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
  return docs.map((doc) => ({
    seq: doc._id,
    payload: JSON.parse(doc.json) as unknown,
    at: doc.at,
  }));
}

export async function feedHead(ctx: MongoContext): Promise<number> {
  const counter = await counters(ctx).findOne({ _id: FEED_COUNTER }, withSession(ctx));
  return counter?.seq ?? 0;
}

/** Renews (creating it first when unknown) a follower's lease until the server's now + `leaseMs`. */
export async function renewFollower(
  ctx: MongoContext,
  follower: string,
  acked: number,
  leaseMs: number,
): Promise<void> {
  const renew = () =>
    followers(ctx).updateOne(
      { _id: follower },
      [{ $set: { acked, until: { $add: ['$$NOW', leaseMs] } } }],
      withSession(ctx),
    );
  if ((await renew()).matchedCount === 0) {
    await followers(ctx)
      .insertOne({ _id: follower, acked, until: new Date(0) }, withSession(ctx))
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    await renew();
  }
  await followers(ctx).deleteMany(
    { $expr: { $lt: ['$until', { $subtract: ['$$NOW', FORGET_FOLLOWER_MS] }] } },
    withSession(ctx),
  );
}

export async function listFollowers(ctx: MongoContext): Promise<FeedFollower[]> {
  const docs = await followers(ctx)
    .aggregate<{ _id: string; acked: number; live: boolean }>(
      [{ $project: { acked: 1, live: { $gt: ['$until', '$$NOW'] } } }, { $sort: { _id: 1 } }],
      withSession(ctx),
    )
    .toArray();
  return docs.map((doc) => ({ id: doc._id, acked: doc.acked, live: doc.live === true }));
}
