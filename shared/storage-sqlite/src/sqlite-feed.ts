import { FORGET_FOLLOWER_MS, type FeedEntry, type FeedFollower } from '@dmp/storage';
import type { Connection } from './connection';

/**
 * The change feed. `seq` is the AUTOINCREMENT key: SQLite runs one write transaction at a
 * time, so sequence order is commit order, and a rolled-back append takes its number back
 * (`sqlite_sequence` is part of the transaction), so there is no gap. Leases are timed by the
 * store's clock, the clock of the host every process of the database runs on.
 */
export function appendEntry(conn: Connection, payload: unknown, now: Date): void {
  conn
    .statement('INSERT INTO change_feed (payload, at) VALUES (?, ?)')
    .run(JSON.stringify(payload ?? null), now.toISOString());
}

export function readEntries(conn: Connection, after: number, limit: number): FeedEntry[] {
  const rows = conn
    .statement('SELECT seq, payload, at FROM change_feed WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(after, Math.max(0, limit)) as { seq: number; payload: string; at: string }[];
  return rows.map((row) => ({
    seq: row.seq,
    payload: JSON.parse(row.payload) as unknown,
    at: row.at,
  }));
}

export function feedHead(conn: Connection): number {
  const row = conn.statement('SELECT MAX(seq) AS head FROM change_feed').get() as {
    head: number | null;
  };
  return row.head ?? 0;
}

export function renewFollower(
  conn: Connection,
  follower: string,
  acked: number,
  leaseMs: number,
  now: Date,
): void {
  conn
    .statement(
      'INSERT INTO feed_followers (id, acked, lease_until) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET acked = excluded.acked, lease_until = excluded.lease_until',
    )
    .run(follower, acked, new Date(now.getTime() + leaseMs).toISOString());
  conn
    .statement('DELETE FROM feed_followers WHERE lease_until < ?')
    .run(new Date(now.getTime() - FORGET_FOLLOWER_MS).toISOString());
}

export function listFollowers(conn: Connection, now: Date): FeedFollower[] {
  const rows = conn
    .statement('SELECT id, acked, lease_until FROM feed_followers ORDER BY id')
    .all() as { id: string; acked: number; lease_until: string }[];
  const at = now.toISOString();
  return rows.map((row) => ({ id: row.id, acked: row.acked, live: row.lease_until > at }));
}
