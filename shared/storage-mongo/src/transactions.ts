import type { ClientSession, MongoClient, TransactionOptions } from 'mongodb';
import { isCommitOutcomeUnknown, isTransientTransactionError, toStoreError } from './driver-errors';

/**
 * Runs `body` in a multi-document transaction (snapshot reads, majority writes) and retries the
 * whole body on transient errors (write conflicts, primary step-down, network errors…) with a
 * short jittered backoff; a commit with an unknown result is committed again. `body` must let
 * driver errors through unchanged: they are mapped (409/503) once, after the last attempt.
 * `onAbort` runs after each attempt that certainly did not commit (to delete staged blobs);
 * `onUnknownCommit` once when the commit outcome stays unknown, where deleting could lose
 * committed data unless a read proves the commit did not land.
 */
export interface RetryPolicy {
  maxAttempts: number;
  /** Base backoff in ms (doubled per attempt, jittered). */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, backoffMs: 10 };

const TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

export async function runTransaction<R>(
  client: MongoClient,
  body: (session: ClientSession) => Promise<R>,
  onAbort: () => Promise<void> = () => Promise.resolve(),
  policy: RetryPolicy = DEFAULT_RETRY,
  onUnknownCommit: () => Promise<void> = () => Promise.resolve(),
): Promise<R> {
  const session = client.startSession();
  try {
    for (let attempt = 1; ; attempt += 1) {
      session.startTransaction(TRANSACTION_OPTIONS);
      let result: R;
      try {
        result = await body(session);
      } catch (error) {
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        await onAbort();
        if (attempt < policy.maxAttempts && isTransientTransactionError(error)) {
          await pause(policy, attempt);
          continue;
        }
        throw toStoreError(error);
      }
      try {
        await commit(session, policy);
        return result;
      } catch (error) {
        if (isCommitOutcomeUnknown(error)) {
          await onUnknownCommit().catch(() => undefined);
          throw toStoreError(error);
        }
        await onAbort();
        if (isTransientTransactionError(error) && attempt < policy.maxAttempts) {
          await pause(policy, attempt);
          continue;
        }
        throw toStoreError(error);
      }
    }
  } finally {
    await session.endSession().catch(() => undefined);
  }
}

async function commit(session: ClientSession, policy: RetryPolicy): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await session.commitTransaction();
      return;
    } catch (error) {
      if (attempt < policy.maxAttempts && isCommitOutcomeUnknown(error)) continue;
      throw error;
    }
  }
}

function pause(policy: RetryPolicy, attempt: number): Promise<void> {
  const ms = policy.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
