import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BlobInfo, ChangeFeed, Outbox, ResourceStore, StoreTransaction } from '@dmp/storage';
import { createGroupCommit, createIndexer, type SearchParameterSet } from '@dmp/storage';
import { AsyncMutex } from './async-mutex';
import { BlobFiles, Durability, type StagedFile } from './blob-files';
import { Connection } from './connection';
import { guard, guardAsync } from './driver-errors';
import { createOperations, type Access } from './operations';
import type { RowContext } from './resource-rows';
import {
  createSqliteBlobStore,
  createTransactionBlobWriter,
  placeBlob,
  type PlacedBlobs,
} from './sqlite-blob-store';
import { ackRecords, appendRecord, claimRecords, pendingRecords } from './sqlite-outbox';
import { appendEntry, feedHead, listFollowers, readEntries, renewFollower } from './sqlite-feed';
import { claimUnique } from './unique-claims';
import { commitInSavepoints, type GroupMember } from './savepoint-group';
import { durableCommits, type FileFlusher } from './wal-sync';
import { configure, migrate } from './schema';
import { neverWaitForLocks, writeAtomically } from './write-lock';

export interface SqliteStoreOptions {
  /** Database file path, or `:memory:` (tests). */
  file: string;
  /**
   * Directory of the content-addressed blob files (for `:memory:`, a temp dir of the caller;
   * an empty string makes a fresh temp dir, which is never cleaned up by the store).
   */
  blobDir: string;
  /** Search parameter definitions by resource type (`SEARCH_PARAMETERS` of `@dmp/fhir`). */
  searchParameters: SearchParameterSet;
  /** Largest page size served (default 1000). */
  maxCount?: number;
  /**
   * `FULL` (default): every commit is fsynced, nothing committed is lost on power failure.
   * `NORMAL`: WAL fsynced at checkpoints only; much faster commits, the last ones may be lost.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How the WAL is flushed for `FULL` (tests; default an `fdatasync` on the thread pool). */
  walFlusher?: FileFlusher;
  /** Clock (tests). */
  now?: () => Date;
}

/**
 * Most transactions committed together: past it, the first members would wait too long for
 * the last; the rest go to the next group.
 */
const MAX_GROUP = 64;

interface TxState {
  open: boolean;
  placed: PlacedBlobs;
  tx: StoreTransaction;
}

/**
 * Opens (creating and migrating as needed) a SQLite-backed {@link ResourceStore}.
 *
 * Concurrency: one writer connection; every write (a `transaction`, or a single write outside
 * one) holds an async mutex, so transactions are serialized. Concurrent transactions are
 * group-committed: they run one after the other in one SQLite transaction, a savepoint each,
 * and each resolves once that transaction is committed and on disk (the WAL flushed off the
 * event loop, see wal-sync.ts). File databases get a second,
 * read-only connection in WAL mode: reads outside a transaction see the last committed snapshot,
 * never an open transaction's writes. A `:memory:` database has one connection, so reads outside
 * a transaction wait for the mutex instead (same isolation, less concurrency).
 *
 * Nesting: inside `transaction(work)`, any call on the store (including a nested `transaction`)
 * joins the open transaction (flattened; no savepoint of its own), detected with
 * AsyncLocalStorage.
 */
export function openSqliteStore(options: SqliteStoreOptions): ResourceStore {
  return guard(() => open(options));
}

function open(options: SqliteStoreOptions): ResourceStore {
  const memory = options.file === ':memory:';
  const now = options.now ?? (() => new Date());
  const maxCount = options.maxCount ?? 1000;
  const indexer = createIndexer(options.searchParameters);
  if (!memory) mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const blobDir =
    options.blobDir === '' ? mkdtempSync(path.join(os.tmpdir(), 'dmp-blobs-')) : options.blobDir;
  mkdirSync(blobDir, { recursive: true });
  const writerDb = new Database(options.file);
  configure(writerDb, 'writer', memory, options.synchronous);
  migrate(writerDb, now);
  neverWaitForLocks(writerDb);
  // Every write awaits `commits.durable()` before it resolves (see wal-sync.ts).
  const commits = durableCommits(writerDb, options.file, {
    memory,
    synchronous: options.synchronous,
    flusher: options.walFlusher,
  });
  const readerDb = memory ? writerDb : new Database(options.file, { readonly: true });
  if (!memory) configure(readerDb, 'reader', memory);
  const writer: RowContext = { conn: new Connection(writerDb), indexer, now };
  const reader: RowContext = memory ? writer : { conn: new Connection(readerDb), indexer, now };
  const files = new BlobFiles(blobDir);
  const mutex = new AsyncMutex();
  const context = new AsyncLocalStorage<TxState>();

  const atomically = async <R>(fn: () => R | Promise<R>): Promise<R> =>
    commits.durable(await mutex.run(() => guardAsync(() => writeAtomically(writerDb, fn))));
  const storeAccess: Access = {
    read: (fn) => {
      if (context.getStore()) return joined(context.getStore(), fn);
      if (memory) return mutex.run(() => guard(() => fn(writer)));
      return guardAsync(() => Promise.resolve(fn(reader)));
    },
    write: (fn) => {
      if (context.getStore()) return joined(context.getStore(), fn);
      return atomically(() => fn(writer));
    },
  };
  const joined = <R>(state: TxState | undefined, fn: (ctx: RowContext) => R): Promise<R> =>
    guardAsync(() => {
      if (!state?.open) throw new TypeError('The transaction is already finished.');
      return Promise.resolve(fn(writer));
    });
  const openConn = (state: TxState): Connection => {
    if (!state.open) throw new TypeError('The transaction is already finished.');
    return writer.conn;
  };
  const txAccess = (state: TxState): Access => ({
    read: (fn) => joined(state, fn),
    write: (fn) => joined(state, fn),
  });

  /** A blob staged outside any transaction, placed in the open one or in one of its own. */
  const writeBlob = (staged: StagedFile, contentType: string) => {
    const state = context.getStore();
    const placing: Promise<BlobInfo> = state
      ? joined(state, () => undefined).then(() =>
          placeBlob(files, writer.conn, staged, contentType, now(), state.placed),
        )
      : atomically(async () => {
          const placed: PlacedBlobs = { created: [], durability: new Durability() };
          try {
            const info = await placeBlob(files, writer.conn, staged, contentType, now(), placed);
            await placed.durability.settle();
            return info;
          } catch (error) {
            await placed.durability.forgive();
            throw error;
          }
        });
    // Whatever failed, the staged file is closed and its temp copy removed (no-ops once placed).
    return placing.catch(async (error: unknown) => {
      await files.abandon(staged);
      throw error;
    });
  };

  const outbox: Outbox = {
    append: (topic, payload) =>
      storeAccess.write((ctx) => appendRecord(ctx.conn, topic, payload, now())),
    claim: (topic, limit, leaseMs) =>
      storeAccess.write((ctx) => claimRecords(ctx.conn, topic, limit, leaseMs, now())),
    ack: (ids) => storeAccess.write((ctx) => ackRecords(ctx.conn, ids)),
    pending: (topic) => storeAccess.read((ctx) => pendingRecords(ctx.conn, topic)),
  };

  const feed: ChangeFeed = {
    read: (after, limit) => storeAccess.read((ctx) => readEntries(ctx.conn, after, limit)),
    head: () => storeAccess.read((ctx) => feedHead(ctx.conn)),
    renew: (follower, acked, leaseMs) =>
      storeAccess.write((ctx) => renewFollower(ctx.conn, follower, acked, leaseMs, now())),
    followers: () => storeAccess.read((ctx) => listFollowers(ctx.conn, now())),
  };

  /** A transaction's work as a member of a commit group: its own state, run in its context. */
  const memberOf = <R>(work: (tx: StoreTransaction) => Promise<R>): GroupMember => {
    const placed: PlacedBlobs = { created: [], durability: new Durability() };
    const state: TxState = { open: true, placed, tx: undefined as never };
    state.tx = {
      ...createOperations(txAccess(state), maxCount),
      blobs: createTransactionBlobWriter(files, () => openConn(state), placed, now),
      outbox: { append: (t, p) => joined(state, (ctx) => appendRecord(ctx.conn, t, p, now())) },
      feed: { append: (p) => joined(state, (ctx) => appendEntry(ctx.conn, p, now())) },
      claimUnique: (namespace, key) =>
        joined(state, (ctx) => claimUnique(ctx.conn, namespace, key, now())),
    };
    return {
      run: async () => {
        try {
          return await context.run(state, () => work(state.tx));
        } finally {
          state.open = false;
        }
      },
      settle: () => placed.durability.settle(),
      discard: async () => {
        await placed.durability.forgive();
        await Promise.all(placed.created.splice(0).map((file) => files.discard(file)));
      },
    };
  };
  /**
   * Transactions are group-committed: those that arrive while a group commits share the next
   * SQLite transaction (see {@link commitInSavepoints}), still one at a time on the connection.
   */
  const transactions = createGroupCommit<GroupMember, unknown>(
    (members) => mutex.run(() => guardAsync(() => commitInSavepoints(writerDb, members))),
    { maxGroup: MAX_GROUP },
  );

  const store: ResourceStore = {
    ...createOperations(storeAccess, maxCount),
    blobs: createSqliteBlobStore({
      files,
      read: (fn) => storeAccess.read((ctx) => fn(ctx.conn)),
      write: writeBlob,
    }),
    outbox,
    feed,
    transaction: async (work) => {
      const current = context.getStore();
      if (current) return work(current.tx);
      // The group hands back what this member's work returned. The next group may commit
      // while this one's commit is flushed.
      const result = await transactions.submit(memberOf(work));
      return commits.durable(result as Awaited<ReturnType<typeof work>>);
    },
    ping: () => storeAccess.read((ctx) => void ctx.conn.statement('SELECT 1').get()),
    close: async () => {
      await transactions.settled();
      await mutex.run(() =>
        guardAsync(async () => {
          if (!writerDb.open) return;
          // The flushes still running (their callers waiting) end before the WAL goes away.
          await commits.close();
          writerDb.pragma('optimize');
          if (readerDb !== writerDb) readerDb.close();
          writerDb.close();
        }),
      );
    },
  };
  return store;
}
