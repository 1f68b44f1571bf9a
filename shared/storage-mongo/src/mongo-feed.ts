import { ObjectId } from 'mongodb';
import { FORGET_FOLLOWER_MS, type FeedEntry, type FeedFollower } from '@dmp/storage';
import { CHANGE_FEED, FEED_FOLLOWERS, META } from './collections';
import { withSession, type MongoContext } from './context';
import { isDuplicateKey } from './driver-errors';

/**
 * The change feed. The data's transaction inserts its entry without a number (`seq` null, `_id`
 * a fresh ObjectId), so concurrent changes share no document and never conflict over the feed.
 * Entries are numbered after their commit by `numberPending`, a short transaction of its own:
 * it takes the pending entries its snapshot sees (oldest `_id` first) and raises one counter
 * document by as many. Two numbering transactions both write that counter, so one of them
 * conflicts and runs again on a fresh snapshot, where it sees only what is still pending. The
 * numbers are therefore gapless, each entry gets one, and a batch becomes readable at once,
 * above every number already readable. An entry committed after a pass's snapshot stays
 * pending for the next pass: the store numbers after each commit that appended, and `head()`
 * and `read()` number what is pending first, so an entry is numbered even when its appender
 * died right after committing. Order: by numbering pass, then by `_id` within a pass.
 * Leases are timed by the server's clock (`$$NOW`), never an instance's.
 */
export const FEED_COUNTER = 'change-feed-seq';

interface CounterDoc {
  _id: string;
  seq: number;
}

interface EntryDoc {
  _id: ObjectId;
  /** Null until numbered. */
  seq: number | null;
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

/** Most entries numbered by one transaction. */
export const NUMBERING_BATCH = 500;

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
export async function appendEntry(ctx: MongoContext, payload: unknown): Promise<void> {
  await entries(ctx).insertOne(
    {
      _id: new ObjectId(),
      seq: null,
      json: JSON.stringify(payload ?? null),
      at: ctx.now().toISOString(),
    },
    withSession(ctx),
  );
}

/** Is an entry waiting for its number? (One probe of the `seq` index.) */
export async function hasPending(ctx: MongoContext): Promise<boolean> {
  const pending = await entries(ctx).findOne(
    { seq: null },
    { ...withSession(ctx), projection: { _id: 1 } },
  );
  return pending !== null;
}

/**
 * In a transaction of its own: numbers up to `batch` entries still without a number, oldest
 * `_id` first, after the counter; resolves to how many.
 */
export async function numberPending(ctx: MongoContext, batch = NUMBERING_BATCH): Promise<number> {
  const pending = await entries(ctx)
    .find({ seq: null }, { ...withSession(ctx), projection: { _id: 1 } })
    .sort({ seq: 1, _id: 1 })
    .limit(batch)
    .toArray();
  if (pending.length === 0) return 0;
  const counter = await counters(ctx).findOneAndUpdate(
    { _id: FEED_COUNTER },
    { $inc: { seq: pending.length } },
    { ...withSession(ctx), returnDocument: 'after' },
  );
  if (!counter) throw new Error('The change feed counter is missing (the store was not prepared)');
  let seq = counter.seq - pending.length;
  for (const entry of pending) {
    seq += 1;
    const { matchedCount } = await entries(ctx).updateOne(
      { _id: entry._id, seq: null },
      { $set: { seq } },
      withSession(ctx),
    );
    // Cannot happen (the counter conflict orders numbering passes); aborting keeps it gapless.
    if (matchedCount !== 1) throw new Error('A change feed entry was numbered twice');
  }
  return pending.length;
}

export async function readEntries(
  ctx: MongoContext,
  after: number,
  limit: number,
): Promise<FeedEntry[]> {
  if (limit <= 0) return [];
  const docs = await entries(ctx)
    .find({ seq: { $gt: after } }, withSession(ctx))
    .sort({ seq: 1 })
    .limit(limit)
    .toArray();
  return docs.map((doc) => ({
    seq: doc.seq ?? 0,
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
