import { CLAIMS } from './collections';
import { withSession, type MongoContext } from './context';
import { ConflictRetry, isDuplicateKey } from './driver-errors';

/** One taken key: `_id` = `{ n: namespace, k: key }`, unique by construction. */
export interface ClaimDoc {
  _id: { n: string; k: string };
  at: string;
}

export const claimId = (namespace: string, key: string): ClaimDoc['_id'] => ({
  n: namespace,
  k: key,
});

/**
 * Takes `key` in `namespace` inside the open transaction. Read in the transaction's snapshot
 * first: a committed claim answers false. Otherwise insert: a concurrent transaction claiming the
 * same key makes one of the two fail with a write conflict (transient: its whole transaction runs
 * again and then reads the winner's claim), or with a duplicate key (retried the same way).
 */
export async function claimUnique(
  ctx: MongoContext,
  namespace: string,
  key: string,
): Promise<boolean> {
  const claims = ctx.db.collection<ClaimDoc>(CLAIMS);
  const _id = claimId(namespace, key);
  if (await claims.findOne({ _id }, { ...withSession(ctx), projection: { _id: 1 } })) return false;
  try {
    await claims.insertOne({ _id, at: ctx.now().toISOString() }, withSession(ctx));
  } catch (error) {
    if (isDuplicateKey(error)) throw new ConflictRetry(`claim ${namespace} taken concurrently`);
    throw error;
  }
  return true;
}
