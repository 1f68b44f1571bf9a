import type { Database } from 'better-sqlite3';
import type { Connection } from '../connection';
import { appendOnlyTriggers, dropAppendOnlyTriggers } from './audit-schema';

const PURGED_TABLES = ['audit_events', 'audit_index'];

/**
 * Retention: removes the oldest records while they were `recorded` before `cutoff` (a prefix of
 * the chain, so the rest still verifies), records the last removed (seq, hash) as the new anchor,
 * and restores the append-only triggers, all in one transaction. Returns how many were removed.
 */
export function purgeAuditPrefix(
  db: Database,
  conn: Connection,
  cutoff: string,
  now: Date,
): number {
  return db
    .transaction(() => {
      const first = conn
        .statement('SELECT seq FROM audit_events WHERE recorded >= ? ORDER BY seq LIMIT 1')
        .get(cutoff) as { seq: number } | undefined;
      const boundary = first
        ? first.seq - 1
        : ((
            conn.statement('SELECT MAX(seq) AS seq FROM audit_events').get() as {
              seq: number | null;
            }
          ).seq ?? 0);
      const last = conn
        .statement('SELECT seq, hash FROM audit_events WHERE seq <= ? ORDER BY seq DESC LIMIT 1')
        .get(boundary) as { seq: number; hash: string } | undefined;
      if (!last) return 0;
      db.exec(dropAppendOnlyTriggers(PURGED_TABLES));
      const removed = db.prepare('DELETE FROM audit_events WHERE seq <= ?').run(last.seq).changes;
      db.prepare('DELETE FROM audit_index WHERE seq <= ?').run(last.seq);
      db.prepare('INSERT INTO audit_anchors (seq, hash, purged_at) VALUES (?, ?, ?)').run(
        last.seq,
        last.hash,
        now.toISOString(),
      );
      db.exec(appendOnlyTriggers(PURGED_TABLES));
      return removed;
    })
    .immediate();
}
