import { outboxRecordFromJson, type OutboxRecord } from '@dmp/storage';
import type { Connection } from './connection';

interface OutboxRow {
  seq: number;
  topic: string;
  payload: string;
  attempts: number;
  created_at: string;
}

export function appendRecord(conn: Connection, topic: string, payload: unknown, now: Date): void {
  conn
    .statement('INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)')
    .run(topic, JSON.stringify(payload ?? null), now.toISOString());
}

/** Oldest unleased records of a topic; each gets a lease until `now + leaseMs`. */
export function claimRecords(
  conn: Connection,
  topic: string,
  limit: number,
  leaseMs: number,
  now: Date,
): OutboxRecord[] {
  const at = now.toISOString();
  const rows = conn
    .statement(
      'SELECT seq, topic, payload, attempts, created_at FROM outbox WHERE topic = ? AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY seq LIMIT ?',
    )
    .all(topic, at, Math.max(0, limit)) as OutboxRow[];
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const lease = conn.statement(
    'UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE seq = ?',
  );
  for (const row of rows) lease.run(until, row.seq);
  return rows.map((row) =>
    outboxRecordFromJson(
      { id: String(row.seq), topic: row.topic, attempts: row.attempts, createdAt: row.created_at },
      row.payload,
    ),
  );
}

/** Acknowledged records are deleted: they are never claimed again. */
export function ackRecords(conn: Connection, ids: string[]): void {
  const remove = conn.statement('DELETE FROM outbox WHERE seq = ?');
  for (const id of ids) {
    const seq = Number(id);
    if (Number.isSafeInteger(seq)) remove.run(seq);
  }
}

export function pendingRecords(conn: Connection, topic: string): number {
  const row = conn.statement('SELECT COUNT(*) AS n FROM outbox WHERE topic = ?').get(topic) as {
    n: number;
  };
  return row.n;
}
