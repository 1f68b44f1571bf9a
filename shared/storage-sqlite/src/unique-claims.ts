import type { Connection } from './connection';

/**
 * Takes `key` in `namespace` inside the open write transaction: the `(namespace, key)` primary
 * key makes it unique across every connection and process on the file. True when inserted now,
 * false when it was already there (committed, or earlier in this transaction).
 */
export function claimUnique(conn: Connection, namespace: string, key: string, now: Date): boolean {
  const { changes } = conn
    .statement('INSERT OR IGNORE INTO unique_claims (namespace, key, claimed_at) VALUES (?, ?, ?)')
    .run(namespace, key, now.toISOString());
  return changes === 1;
}
