import type { Database, Statement } from 'better-sqlite3';

/** How long a writer waits for another connection's write lock before giving up (503). */
export const WRITE_LOCK_BUDGET_MS = 5000;

interface TransactionStatements {
  begin: Statement;
  commit: Statement;
  /** The savepoint of one member of a commit group (`savepoint-group.ts`). */
  savepoint: Statement;
  release: Statement;
  rollbackTo: Statement;
}

/** The statements of every transaction, prepared once per connection (not parsed each time). */
const prepared = new WeakMap<Database, TransactionStatements>();

export function transactionStatements(db: Database): TransactionStatements {
  let statements = prepared.get(db);
  if (!statements) {
    statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      savepoint: db.prepare('SAVEPOINT member'),
      release: db.prepare('RELEASE member'),
      rollbackTo: db.prepare('ROLLBACK TO member'),
    };
    prepared.set(db, statements);
  }
  return statements;
}

/**
 * The writer connection never waits in SQLite's busy handler: it sleeps the thread, so two
 * store handles on one file in one process would deadlock until the timeout (the holder cannot
 * run while the waiter sleeps). {@link beginImmediate} waits with async pauses instead. Set once
 * the schema is migrated (the migration itself may wait for another process).
 */
export function neverWaitForLocks(db: Database): void {
  db.pragma('busy_timeout = 0');
}

/**
 * `BEGIN IMMEDIATE` (takes the database write lock) without blocking the event loop while
 * another connection holds it: the lock is tried without waiting (see
 * {@link neverWaitForLocks}), and retried after short async pauses.
 */
export async function beginImmediate(db: Database, budgetMs = WRITE_LOCK_BUDGET_MS): Promise<void> {
  const started = Date.now();
  const { begin } = transactionStatements(db);
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      begin.run();
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() - started >= budgetMs) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * COMMIT of the open write transaction (named, so that CPU profiles show it under this frame).
 * The stores commit with `synchronous=NORMAL` and flush the WAL afterwards off the event loop
 * (`wal-sync.ts`); with `synchronous=FULL` (migrations) the thread waits here for the fsync.
 */
export function commitTransaction(db: Database): void {
  transactionStatements(db).commit.run();
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
