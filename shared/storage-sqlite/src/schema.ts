import type { Database } from 'better-sqlite3';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Numbered migrations, applied in order inside one transaction each and recorded in
 * `migrations`. Never edit an applied migration: add the next number.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'resources, history, search index, outbox, blobs',
    sql: `
      CREATE TABLE resources (
        rid INTEGER PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL,
        version INTEGER NOT NULL, last_updated TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0, json TEXT NOT NULL,
        UNIQUE (type, id)
      );
      CREATE INDEX resources_by_updated ON resources (type, last_updated, id) WHERE deleted = 0;
      CREATE TABLE resource_versions (
        type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
        last_updated TEXT NOT NULL, deleted INTEGER NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (type, id, version)
      );
      CREATE TABLE search_index (
        rid INTEGER NOT NULL REFERENCES resources (rid) ON DELETE CASCADE,
        param TEXT NOT NULL, system TEXT, code TEXT, value_folded TEXT, value_exact TEXT,
        low TEXT, high TEXT, ref TEXT
      );
      CREATE INDEX search_index_by_resource ON search_index (rid, param);
      CREATE INDEX search_index_by_ref ON search_index (param, ref, rid) WHERE ref IS NOT NULL;
      CREATE INDEX search_index_by_code ON search_index (param, code, system, rid)
        WHERE code IS NOT NULL;
      CREATE INDEX search_index_by_string ON search_index (param, value_folded, rid)
        WHERE value_folded IS NOT NULL;
      CREATE INDEX search_index_by_date ON search_index (param, low, high, rid)
        WHERE low IS NOT NULL;
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, claimed_until TEXT
      );
      CREATE INDEX outbox_by_topic ON outbox (topic, seq);
      CREATE TABLE blobs (
        key TEXT PRIMARY KEY, sha1 TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
        content_type TEXT NOT NULL, created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'unique claims',
    sql: `
      CREATE TABLE unique_claims (
        namespace TEXT NOT NULL, key TEXT NOT NULL, claimed_at TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: '_lastUpdated searched on the resource row, no longer indexed',
    sql: `DELETE FROM search_index WHERE param = '_lastUpdated';`,
  },
  {
    version: 4,
    name: 'change feed and its followers',
    sql: `
      CREATE TABLE change_feed (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL, at TEXT NOT NULL
      );
      CREATE TABLE feed_followers (
        id TEXT PRIMARY KEY, acked INTEGER NOT NULL, lease_until TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/**
 * Connection settings: WAL (readers never block the writer), `synchronous=FULL` by default
 * (every COMMIT is fsynced: durable at the cost of one fsync per transaction), foreign keys,
 * a busy timeout, a larger page cache (64 MiB writer, 32 MiB reader; negative = KiB), and
 * checkpoints every 16 384 WAL pages (64 MiB) instead of 1 000, the WAL file truncated back to
 * 64 MiB afterwards: fewer, larger checkpoints rewrite hot index pages less often.
 */
export function configure(
  db: Database,
  role: 'writer' | 'reader',
  memory: boolean,
  synchronous: 'FULL' | 'NORMAL' = 'FULL',
): void {
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = ${role === 'writer' ? -65536 : -32768}`);
  if (role === 'reader') return;
  if (!memory) {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 16384');
    db.pragma('journal_size_limit = 67108864');
  }
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
}

export function migrate(db: Database, now: () => Date): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM migrations').all() as { version: number }[]).map(
      (row) => row.version,
    ),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        now().toISOString(),
      );
    }).immediate();
  }
}
