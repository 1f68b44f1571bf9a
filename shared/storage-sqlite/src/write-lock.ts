import type { Database } from 'better-sqlite3';

/** How long a writer waits for another connection's write lock before giving up (503). */
export const WRITE_LOCK_BUDGET_MS = 5000;
const BUSY_TIMEOUT_MS = 5000;

/**
 * `BEGIN IMMEDIATE` (takes the database write lock) without blocking the event loop while
 * another connection holds it: SQLite's busy handler sleeps the thread, so two store handles on
 * one file in one process would deadlock until the timeout (the holder cannot run while the
 * waiter sleeps). The lock is tried without waiting, and retried after short async pauses.
 */
export async function beginImmediate(db: Database, budgetMs = WRITE_LOCK_BUDGET_MS): Promise<void> {
  const started = Date.now();
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    db.pragma('busy_timeout = 0');
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() - started >= budgetMs) throw error;
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * COMMIT of the open write transaction: with `synchronous=FULL` the thread waits here for the
 * fsync (named, so that CPU profiles show the wait under this frame).
 */
export function commitTransaction(db: Database): void {
  db.exec('COMMIT');
}

/** Runs `fn` in its own write transaction: committed when it resolves, rolled back if it throws. */
export async function writeAtomically<R>(db: Database, fn: () => R | Promise<R>): Promise<R> {
  await beginImmediate(db);
  try {
    const result = await fn();
    commitTransaction(db);
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
