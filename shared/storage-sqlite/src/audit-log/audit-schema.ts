import type { Database } from 'better-sqlite3';

const REFUSE = (table: string, action: 'UPDATE' | 'DELETE') =>
  `CREATE TRIGGER IF NOT EXISTS ${table}_no_${action.toLowerCase()} BEFORE ${action} ON ${table} ` +
  `BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;`;

/** Tables whose rows are never updated nor deleted (retention drops its triggers briefly). */
export const APPEND_ONLY_TABLES = [
  'audit_events',
  'audit_index',
  'audit_checkpoints',
  'audit_anchors',
];

/** The triggers that make the audit tables append-only in the database itself. */
export function appendOnlyTriggers(tables: readonly string[] = APPEND_ONLY_TABLES): string {
  return tables.flatMap((t) => [REFUSE(t, 'UPDATE'), REFUSE(t, 'DELETE')]).join('\n');
}

export function dropAppendOnlyTriggers(tables: readonly string[]): string {
  return tables
    .flatMap((t) => [`DROP TRIGGER ${t}_no_update;`, `DROP TRIGGER ${t}_no_delete;`])
    .join('\n');
}

/**
 * The condition an index row of a chain (`patient.identifier`) meets. A search reads token, string
 * and date rows through an index on their value only in a chain: the other filters probe the
 * candidate event's rows (`audit_index_by_event`) and only a reference drives a search
 * (`audit_index_by_ref`). So the value indexes hold chain rows only, which spares three in four
 * index rows an insert into them; the chain search states this condition, word for word, so
 * that SQLite may use these partial indexes.
 */
export const CHAIN_ROW = "param GLOB '*.*'";

/**
 * The audit log schema: `audit_events` (one row per event: gapless `seq`, unique `id`,
 * normalized `recorded`, `prev_hash`, `hash`, the JSON as hashed), `audit_index` (the search
 * index entries, same columns as the resource store's `search_index`), `audit_checkpoints`
 * (signed heads) and `audit_anchors` (where verification starts after a retention purge).
 * Idempotent, and it upgrades a file of an earlier layout: the value indexes over every row
 * (`audit_index_by_code`, `_by_string`, `_by_date`) are replaced by the chain-only ones.
 */
export function createAuditSchema(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS audit_events (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, recorded TEXT NOT NULL,
      prev_hash TEXT NOT NULL, hash TEXT NOT NULL, json TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_events_by_recorded ON audit_events (recorded, seq);
    CREATE TABLE IF NOT EXISTS audit_index (
      seq INTEGER NOT NULL, param TEXT NOT NULL, system TEXT, code TEXT, value_folded TEXT,
      value_exact TEXT, low TEXT, high TEXT, ref TEXT
    );
    CREATE INDEX IF NOT EXISTS audit_index_by_event ON audit_index (seq, param);
    CREATE INDEX IF NOT EXISTS audit_index_by_ref ON audit_index (param, ref, seq)
      WHERE ref IS NOT NULL;
    DROP INDEX IF EXISTS audit_index_by_code;
    DROP INDEX IF EXISTS audit_index_by_string;
    DROP INDEX IF EXISTS audit_index_by_date;
    CREATE INDEX IF NOT EXISTS audit_index_chain_by_code ON audit_index (param, code, system, seq)
      WHERE code IS NOT NULL AND ${CHAIN_ROW};
    CREATE INDEX IF NOT EXISTS audit_index_chain_by_string ON audit_index (param, value_folded, seq)
      WHERE value_folded IS NOT NULL AND ${CHAIN_ROW};
    CREATE INDEX IF NOT EXISTS audit_index_chain_by_date ON audit_index (param, low, high, seq)
      WHERE low IS NOT NULL AND ${CHAIN_ROW};
    CREATE TABLE IF NOT EXISTS audit_checkpoints (
      seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, time TEXT NOT NULL, jws TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audit_anchors (
      seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, purged_at TEXT NOT NULL
    );
    ${appendOnlyTriggers()}
  `);
}
