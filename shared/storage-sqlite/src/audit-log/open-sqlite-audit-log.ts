import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent } from 'fhir/r4';
import type {
  AppendOutcome,
  AuditLog,
  AuditRecord,
  ChainPosition,
  Checkpoint,
  ScanOptions,
  Indexer,
  SearchParameterSet,
} from '@dmp/storage';
import { createGroupCommit, createIndexer, GENESIS_HASH, type GroupOutcome } from '@dmp/storage';
import { Connection } from '../connection';
import { guard, guardAsync } from '../driver-errors';
import { configure } from '../schema';
import {
  durableCommits,
  NOTHING_TO_FLUSH,
  type DurableCommits,
  type FileFlusher,
} from '../wal-sync';
import { appendEvents, type ChainHead } from './audit-append';
import { createAuditSchema } from './audit-schema';
import { searchAuditEvents } from './audit-search';
import { verifyAuditLog } from './audit-verify';
import { purgeAuditPrefix } from './audit-purge';
import { searchedParams } from './searched-params';

export interface SqliteAuditLogOptions {
  /** Database file, or `:memory:` (tests). */
  file: string;
  /** Search parameter definitions by type (only `AuditEvent` is used). */
  searchParameters: SearchParameterSet;
  /** Largest page size served (default 1000). */
  maxCount?: number;
  /** `FULL` (default): each group commit is on disk before its appends resolve. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How the WAL is flushed for `FULL` (tests; default an `fdatasync` on the thread pool). */
  walFlusher?: FileFlusher;
  /**
   * Group commit window: appends arriving within this many milliseconds of the first pending one
   * share its transaction and fsync. Default 0: the next event-loop turn, which already groups
   * every append that arrived while the previous (synchronous) commit held the loop, without
   * adding latency to a lone request.
   */
  groupCommitMs?: number;
  now?: () => Date;
  /**
   * Opens an existing file read-only, changing nothing in it (verification of a copy or of a
   * suspect file): no schema creation, appends and checkpoints are refused.
   */
  readonly?: boolean;
}

/**
 * Opens the SQLite {@link AuditLog}. Appends are grouped: every call made while the previous commit ran (or
 * within the optional group-commit window) joins a single `BEGIN IMMEDIATE … COMMIT` (one fsync), each call in its own
 * savepoint so that one failing call does not take the others down. The chain head is read
 * under the write lock at each group and advances only with a successful savepoint. File databases get a read-only second
 * connection for searches, scans and verification.
 */
export function openSqliteAuditLog(options: SqliteAuditLogOptions): AuditLog {
  return guard(() => open(options));
}

function open(options: SqliteAuditLogOptions): AuditLog {
  const memory = options.file === ':memory:';
  const now = options.now ?? (() => new Date());
  const maxCount = options.maxCount ?? 1000;
  const definitions = options.searchParameters.AuditEvent ?? [];
  const indexing: Indexing = {
    indexer: createIndexer({ AuditEvent: definitions }),
    searched: searchedParams(definitions),
  };
  if (options.readonly) {
    const db = new Database(options.file, { readonly: true, fileMustExist: true });
    configure(db, 'reader', memory);
    return createLog(db, db, options, indexing, now, maxCount);
  }
  if (!memory) mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const writerDb = new Database(options.file);
  configure(writerDb, 'writer', memory, options.synchronous);
  createAuditSchema(writerDb);
  // As in the resource store: commits flushed off the event loop (see wal-sync.ts).
  const commits = durableCommits(writerDb, options.file, {
    memory,
    synchronous: options.synchronous,
    flusher: options.walFlusher,
  });
  const readerDb = memory ? writerDb : new Database(options.file, { readonly: true });
  if (!memory) configure(readerDb, 'reader', memory);
  return createLog(writerDb, readerDb, options, indexing, now, maxCount, commits);
}

/** How events are indexed: the indexer, and the params whose entries are stored. */
interface Indexing {
  indexer: Indexer;
  searched: ReadonlySet<string>;
}

function createLog(
  writerDb: Database.Database,
  readerDb: Database.Database,
  options: SqliteAuditLogOptions,
  { indexer, searched }: Indexing,
  now: () => Date,
  maxCount: number,
  commits: DurableCommits = NOTHING_TO_FLUSH,
): AuditLog {
  const writer = new Connection(writerDb);
  const { durable } = commits;
  const reader = writerDb === readerDb ? writer : new Connection(readerDb);

  const readAnchor = (conn: Connection): ChainPosition => {
    const row = conn
      .statement('SELECT seq, hash FROM audit_anchors ORDER BY seq DESC LIMIT 1')
      .get() as ChainPosition | undefined;
    return row ?? { seq: 0, hash: GENESIS_HASH };
  };
  const readHead = (conn: Connection): ChainPosition => {
    const row = conn
      .statement('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
      .get() as ChainPosition | undefined;
    return row ?? readAnchor(conn);
  };
  const head: ChainHead = { position: readHead(writer) };
  const readonly = options.readonly === true;
  let closed = false;

  /** One group: one `BEGIN IMMEDIATE … COMMIT`, each call in its own savepoint. */
  const commitGroup = (
    batch: readonly (readonly AuditEvent[])[],
  ): GroupOutcome<AppendOutcome[]>[] => {
    const results: GroupOutcome<AppendOutcome[]>[] = [];
    const stamp = now();
    try {
      writerDb
        .transaction(() => {
          // Re-read under the write lock: another process appending to the same file cannot fork
          // the chain (one indexed lookup per group).
          head.position = readHead(writer);
          const only = batch.length === 1 ? batch[0] : undefined;
          if (only) {
            // A lone call needs no savepoint: its failure rolls the transaction back.
            results.push({ value: appendEvents(writer, indexer, searched, head, only, stamp) });
            return;
          }
          for (const events of batch) {
            const before = head.position;
            try {
              const outcome = writerDb.transaction(() =>
                appendEvents(writer, indexer, searched, head, events, stamp),
              )();
              results.push({ value: outcome });
            } catch (error) {
              head.position = before;
              results.push({ error: guardError(error) });
            }
          }
        })
        .immediate();
    } catch (error) {
      head.position = readHead(writer);
      throw guardError(error);
    }
    return results;
  };
  const group = createGroupCommit(
    (batch: readonly (readonly AuditEvent[])[]) =>
      Promise.resolve().then(() => durable(commitGroup(batch))),
    {
      windowMs: options.groupCommitMs ?? 0,
    },
  );

  const read = <R>(fn: (conn: Connection) => R): Promise<R> =>
    guardAsync(() => Promise.resolve(fn(reader)));

  return {
    append(events) {
      if (closed || readonly) {
        return guardAsync(() =>
          Promise.reject(
            new TypeError('database connection is not open (read-only or closed audit log)'),
          ),
        );
      }
      if (events.length === 0) return Promise.resolve([]);
      return group.submit(events);
    },
    read: (id) =>
      read((conn) => {
        const row = conn.statement('SELECT json FROM audit_events WHERE id = ?').get(id) as
          { json: string } | undefined;
        return row ? (JSON.parse(row.json) as AuditEvent) : undefined;
      }),
    search: (query) => read((conn) => searchAuditEvents(conn, indexer, query, maxCount, now())),
    scan: (scanOptions) => scanRecords(reader, scanOptions ?? {}),
    head: () => read(readHead),
    anchor: () => read(readAnchor),
    verify: (onProgress) =>
      guardAsync(() =>
        verifyAuditLog(reader, readAnchor(reader), listCheckpoints(reader), onProgress),
      ),
    addCheckpoint: (checkpoint) =>
      guardAsync(() => {
        writer
          .statement(
            'INSERT OR IGNORE INTO audit_checkpoints (seq, hash, time, jws) VALUES (?, ?, ?, ?)',
          )
          .run(checkpoint.seq, checkpoint.hash, checkpoint.time, checkpoint.jws);
        return durable(undefined);
      }),
    checkpoints: () => read(listCheckpoints),
    purgeBefore: (cutoff) =>
      guardAsync(() => durable(purgeAuditPrefix(writerDb, writer, cutoff, now()))),
    ping: () => read((conn) => void conn.statement('SELECT 1').get()),
    close: () =>
      guardAsync(async () => {
        if (closed) return;
        await group.settled();
        await commits.close();
        closed = true;
        if (readerDb !== writerDb) readerDb.close();
        writerDb.close();
      }),
  };
}

function guardError(error: unknown): unknown {
  try {
    return guard(() => {
      throw error;
    });
  } catch (translated) {
    return translated;
  }
}

function listCheckpoints(conn: Connection): Checkpoint[] {
  return conn
    .statement('SELECT seq, hash, time, jws FROM audit_checkpoints ORDER BY seq')
    .all() as Checkpoint[];
}

async function* scanRecords(conn: Connection, options: ScanOptions): AsyncIterable<AuditRecord> {
  const pageSize = options.pageSize ?? 500;
  const statement = conn.statement(
    'SELECT seq, id, recorded, prev_hash AS prevHash, hash, json FROM audit_events ' +
      'WHERE seq > ? AND recorded >= ? AND recorded < ? ORDER BY seq LIMIT ?',
  );
  let after = options.afterSeq ?? 0;
  for (;;) {
    const rows = guard(
      () =>
        statement.all(
          after,
          options.from ?? '0000',
          options.to ?? '9999-12-31T23:59:59.999Z~',
          pageSize,
        ) as AuditRecord[],
    );
    for (const row of rows) yield row;
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = last.seq;
    // Let the server answer other requests between pages of a long export.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
