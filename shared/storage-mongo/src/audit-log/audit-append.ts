import { randomUUID } from 'node:crypto';
import type { AuditEvent } from 'fhir/r4';
import type { AppendOutcome, ChainPosition } from '@dmp/storage';
import { GENESIS_HASH, hashChained } from '@dmp/storage';
import { withSession, type MongoContext } from '../context';
import { isDuplicateKey, ConflictRetry } from '../driver-errors';
import { AUDIT_ANCHORS, AUDIT_LOG, toAuditDoc, type AnchorDoc, type AuditDoc } from './audit-docs';

export const auditLog = (ctx: MongoContext) => ctx.db.collection<AuditDoc>(AUDIT_LOG);
export const anchors = (ctx: MongoContext) => ctx.db.collection<AnchorDoc>(AUDIT_ANCHORS);

export async function readAnchor(ctx: MongoContext): Promise<ChainPosition> {
  const doc = await anchors(ctx).findOne({}, { ...withSession(ctx), sort: { _id: -1 } });
  return doc ? { seq: doc._id, hash: doc.hash } : { seq: 0, hash: GENESIS_HASH };
}

/** The last record's position, or the anchor when the log is empty. */
export async function readHead(ctx: MongoContext): Promise<ChainPosition> {
  const doc = await auditLog(ctx).findOne(
    {},
    { ...withSession(ctx), sort: { _id: -1 }, projection: { hash: 1 } },
  );
  return doc ? { seq: doc._id, hash: doc.hash } : readAnchor(ctx);
}

/**
 * Appends the calls' events inside the open transaction, reading the head in the transaction's
 * snapshot: the next sequence is head + 1 (no gap), and two writers racing for the same sequence
 * collide on the unique `_id` (or write-conflict), so one of them runs again on the new head.
 * A stored id, or one repeated within the group, is acknowledged with the stored event.
 */
export async function appendGroup(
  ctx: MongoContext,
  calls: readonly (readonly AuditEvent[])[],
): Promise<AppendOutcome[][]> {
  let head = await readHead(ctx);
  const stamp = ctx.now();
  const seen = new Map<string, AppendOutcome>();
  const results: AppendOutcome[][] = [];
  for (const events of calls) {
    const outcomes: AppendOutcome[] = [];
    for (const event of events) {
      const known = event.id === undefined ? undefined : await findStored(ctx, event.id, seen);
      if (known) {
        outcomes.push({ ...known, created: false });
        continue;
      }
      const stored: AuditEvent = {
        ...event,
        id: event.id ?? randomUUID(),
        meta: { ...event.meta, versionId: '1', lastUpdated: stamp.toISOString() },
      };
      const seq = head.seq + 1;
      const hash = hashChained(stored, seq, head.hash);
      const doc = toAuditDoc(
        stored,
        { seq, prevHash: head.hash, hash },
        ctx.indexer.extract(stored),
        ctx.parameters,
        stamp,
      );
      try {
        await auditLog(ctx).insertOne(doc, withSession(ctx));
      } catch (error) {
        // Another writer took this sequence (or stored this id) first: run again on its head.
        if (isDuplicateKey(error)) throw new ConflictRetry('audit log head moved');
        throw error;
      }
      head = { seq, hash };
      const outcome = { event: stored, created: true, seq };
      seen.set(doc.id, outcome);
      outcomes.push(outcome);
    }
    results.push(outcomes);
  }
  return results;
}

async function findStored(
  ctx: MongoContext,
  id: string,
  seen: Map<string, AppendOutcome>,
): Promise<AppendOutcome | undefined> {
  const inGroup = seen.get(id);
  if (inGroup) return inGroup;
  const doc = await auditLog(ctx).findOne({ id }, withSession(ctx));
  return doc
    ? { event: JSON.parse(doc.json) as AuditEvent, created: false, seq: doc._id }
    : undefined;
}
