import { ObjectId } from 'mongodb';
import { outboxRecordFromJson, type OutboxRecord } from '@dmp/storage';
import { withSession, type MongoContext } from './context';
import { OUTBOX } from './collections';

/**
 * One outbox record. `_id` is an ObjectId made by the appending process: increasing within a
 * process (time, then a counter), unique everywhere, and shared by no one, so concurrent appends
 * never write a common document (a global counter made every append of every instance conflict).
 * Records of an older version have a number `_id`; BSON orders numbers before ObjectIds, so they
 * are claimed first and acknowledged by their number.
 */
export interface OutboxDoc {
  _id: ObjectId | number;
  topic: string;
  /** The payload as JSON text (exactly what SQLite stores: `undefined` becomes `null`). */
  json: string;
  attempts: number;
  createdAt: string;
  /** Claimed until this instant of the server's clock, or null when never claimed. */
  lease: Date | null;
}

export function toOutboxDoc(topic: string, payload: unknown, now: Date): OutboxDoc {
  return {
    _id: new ObjectId(),
    topic,
    json: JSON.stringify(payload ?? null),
    attempts: 0,
    createdAt: now.toISOString(),
    lease: null,
  };
}

export function toOutboxRecord(doc: OutboxDoc): OutboxRecord {
  return outboxRecordFromJson(
    {
      id: typeof doc._id === 'number' ? String(doc._id) : doc._id.toHexString(),
      topic: doc.topic,
      attempts: doc.attempts,
      createdAt: doc.createdAt,
    },
    doc.json,
  );
}

/** Inside a transaction: the record commits or rolls back with the data. */
export async function appendRecord(
  ctx: MongoContext,
  topic: string,
  payload: unknown,
): Promise<void> {
  await outbox(ctx).insertOne(toOutboxDoc(topic, payload, ctx.now()), withSession(ctx));
}

/**
 * Claimable: never claimed, or the lease has ended by the server's clock (`$$NOW`), so instances
 * whose clocks disagree never steal each other's leases early.
 */
export const claimable = (topic: string) => ({
  topic,
  $or: [{ lease: null }, { $expr: { $lte: ['$lease', '$$NOW'] } }],
});

/** Leases a record until the server's now + `leaseMs` (an update pipeline: `$$NOW` is the server's). */
export const leaseUpdate = (leaseMs: number) => [
  { $set: { lease: { $add: ['$$NOW', leaseMs] }, attempts: { $add: ['$attempts', 1] } } },
];

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
  const candidates = await outbox(ctx)
    .find(claimable(topic), withSession(ctx))
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
  const claimed: OutboxRecord[] = [];
  for (const doc of candidates) {
    const result = await outbox(ctx).updateOne(
      { _id: doc._id, ...claimable(topic) },
      leaseUpdate(leaseMs),
      withSession(ctx),
    );
    if (result.modifiedCount === 1) claimed.push(toOutboxRecord(doc));
  }
  return claimed;
}

/** Record ids as stored: ObjectId hex, or the number of a record from an older version. */
export function outboxIds(ids: readonly string[]): (ObjectId | number)[] {
  return ids.flatMap((id): (ObjectId | number)[] => {
    if (/^[0-9a-f]{24}$/.test(id)) return [new ObjectId(id)];
    const n = Number(id);
    return /^\d+$/.test(id) && Number.isSafeInteger(n) ? [n] : [];
  });
}

export async function ackRecords(ctx: MongoContext, ids: string[]): Promise<void> {
  const stored = outboxIds(ids);
  if (stored.length > 0) await outbox(ctx).deleteMany({ _id: { $in: stored } }, withSession(ctx));
}

export function pendingRecords(ctx: MongoContext, topic: string): Promise<number> {
  return outbox(ctx).countDocuments({ topic }, withSession(ctx));
}

const outbox = (ctx: MongoContext) => ctx.db.collection<OutboxDoc>(OUTBOX);
