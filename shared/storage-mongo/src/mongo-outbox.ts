import type { OutboxRecord } from '@dmp/storage';
import { withSession, type MongoContext } from './context';
import { COUNTERS, OUTBOX } from './collections';

/** One outbox record: `_id` is a gapless increasing sequence (from `counters`). */
export interface OutboxDoc {
  _id: number;
  topic: string;
  /** The payload as JSON text (exactly what SQLite stores: `undefined` becomes `null`). */
  json: string;
  attempts: number;
  createdAt: string;
  /** Claimed until this instant, or null when never claimed. */
  lease: string | null;
}

interface CounterDoc {
  _id: string;
  seq: number;
}

export function toOutboxDoc(seq: number, topic: string, payload: unknown, now: Date): OutboxDoc {
  return {
    _id: seq,
    topic,
    json: JSON.stringify(payload ?? null),
    attempts: 0,
    createdAt: now.toISOString(),
    lease: null,
  };
}

export function toOutboxRecord(doc: OutboxDoc): OutboxRecord {
  return {
    id: String(doc._id),
    topic: doc.topic,
    payload: JSON.parse(doc.json) as unknown,
    attempts: doc.attempts,
    createdAt: doc.createdAt,
  };
}

/** Inside a transaction: the sequence increment commits or rolls back with the record. */
export async function appendRecord(
  ctx: MongoContext,
  topic: string,
  payload: unknown,
): Promise<void> {
  const counter = await ctx.db
    .collection<CounterDoc>(COUNTERS)
    .findOneAndUpdate(
      { _id: OUTBOX },
      { $inc: { seq: 1 } },
      { ...withSession(ctx), upsert: true, returnDocument: 'after' },
    );
  const seq = counter?.seq ?? 1;
  await outbox(ctx).insertOne(toOutboxDoc(seq, topic, payload, ctx.now()), withSession(ctx));
}

/** Claimable: never claimed, or the lease has ended. */
export const claimable = (topic: string, at: string) => ({
  topic,
  $or: [{ lease: null }, { lease: { $lte: at } }],
});

/**
 * Oldest claimable records of a topic; each is leased with a conditional update, so two
 * processes claiming at once never get the same record.
 */
export async function claimRecords(
  ctx: MongoContext,
  topic: string,
  limit: number,
  leaseMs: number,
): Promise<OutboxRecord[]> {
  if (limit <= 0) return [];
  const now = ctx.now();
  const at = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const candidates = await outbox(ctx)
    .find(claimable(topic, at), withSession(ctx))
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
  const claimed: OutboxRecord[] = [];
  for (const doc of candidates) {
    const result = await outbox(ctx).updateOne(
      { _id: doc._id, ...claimable(topic, at) },
      { $set: { lease: until }, $inc: { attempts: 1 } },
      withSession(ctx),
    );
    if (result.modifiedCount === 1) claimed.push(toOutboxRecord(doc));
  }
  return claimed;
}

export async function ackRecords(ctx: MongoContext, ids: string[]): Promise<void> {
  const seqs = ids.map(Number).filter((n) => Number.isSafeInteger(n));
  if (seqs.length > 0) await outbox(ctx).deleteMany({ _id: { $in: seqs } }, withSession(ctx));
}

export function pendingRecords(ctx: MongoContext, topic: string): Promise<number> {
  return outbox(ctx).countDocuments({ topic }, withSession(ctx));
}

const outbox = (ctx: MongoContext) => ctx.db.collection<OutboxDoc>(OUTBOX);
