import type { Database } from 'better-sqlite3';
import type { GroupOutcome } from '@dmp/storage';
import { beginImmediate, commitTransaction, transactionStatements } from './write-lock';

/** One store transaction of a group: its work, and how to undo what it left outside SQLite. */
export interface GroupMember {
  run(): Promise<unknown>;
  /** Fsyncs the blob files it placed and their directories (before the COMMIT). */
  settle(): Promise<void>;
  /** Removes the blob files it created (its rows are rolled back by SQLite). */
  discard(): Promise<void>;
}

/**
 * Commits a group of store transactions with one SQLite transaction (one COMMIT, and one flush
 * of the WAL after it, instead of one each). The members run one after the other, each in a
 * savepoint of its own: a member that
 * throws is rolled back alone (rows, and at once its blob files, so that a later member storing
 * the same bytes writes them again) and gets its error; the others commit. When SQLite itself
 * ended the transaction (a disk error rolls everything back) or the COMMIT fails, the whole
 * group fails: nothing of it is stored. Each outcome is only delivered after the COMMIT (and
 * the store answers only after the flush that follows), so no member answers before its data is
 * durable.
 */
export async function commitInSavepoints(
  db: Database,
  members: readonly GroupMember[],
): Promise<GroupOutcome<unknown>[]> {
  const { savepoint, release, rollbackTo } = transactionStatements(db);
  await beginImmediate(db);
  const outcomes: GroupOutcome<unknown>[] = [];
  const kept: GroupMember[] = [];
  try {
    for (const member of members) {
      savepoint.run();
      try {
        const value = await member.run();
        release.run();
        outcomes.push({ value });
        kept.push(member);
      } catch (error) {
        if (!db.inTransaction) throw error;
        rollbackTo.run();
        release.run();
        await member.discard();
        outcomes.push({ error });
      }
    }
    // Every kept member's files are on disk, all synced at once, before the rows naming them.
    await Promise.all(kept.map((member) => member.settle()));
    commitTransaction(db);
    return outcomes;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    await Promise.all(members.map((member) => member.discard()));
    throw error;
  }
}
