import type { MongoClient } from 'mongodb';
import { withSession, type MongoContext } from '../context';
import { runTransaction, type RetryPolicy } from '../transactions';
import { anchors, auditLog, readAnchor } from './audit-append';

/** Records removed per retention transaction (a transaction lives 60 s and holds its writes in cache). */
export const PURGE_BATCH = 1000;

/**
 * Retention: removes the oldest records while `recorded` < cutoff (a prefix of the chain, so the
 * rest still verifies), in batches of `batch` records, each batch one transaction that deletes
 * its records and inserts the new anchor (the last removed position), so an interrupted purge
 * leaves a verifiable log and the next one continues from the anchor. Needs a user allowed to
 * remove from `audit_log` and insert into `audit_anchors` (the retention role of the README),
 * not the audit service's insert/find user.
 */
export async function purgeInBatches(
  client: MongoClient,
  ctx: MongoContext,
  cutoff: string,
  retry: RetryPolicy,
  batch = PURGE_BATCH,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const step = await runTransaction(
      client,
      (session) => purgeBatch({ ...ctx, session }, cutoff, batch),
      undefined,
      retry,
    );
    removed += step.removed;
    if (!step.more) return removed;
  }
}

async function purgeBatch(
  tx: MongoContext,
  cutoff: string,
  batch: number,
): Promise<{ removed: number; more: boolean }> {
  const anchor = await readAnchor(tx);
  const docs = await auditLog(tx)
    .find(
      { _id: { $gt: anchor.seq } },
      { ...withSession(tx), sort: { _id: 1 }, limit: batch, projection: { recorded: 1, hash: 1 } },
    )
    .toArray();
  const stop = docs.findIndex((doc) => doc.recorded >= cutoff);
  const prefix = stop < 0 ? docs : docs.slice(0, stop);
  const last = prefix[prefix.length - 1];
  if (!last) return { removed: 0, more: false };
  const result = await auditLog(tx).deleteMany(
    { _id: { $gt: anchor.seq, $lte: last._id } },
    withSession(tx),
  );
  await anchors(tx).insertOne(
    { _id: last._id, hash: last.hash, purgedAt: tx.now().toISOString() },
    withSession(tx),
  );
  return { removed: result.deletedCount, more: stop < 0 && docs.length === batch };
}
