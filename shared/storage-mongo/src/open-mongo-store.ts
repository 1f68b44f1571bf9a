import { AsyncLocalStorage } from 'node:async_hooks';
import type { MongoClient, MongoClientOptions } from 'mongodb';
import type { Outbox, ResourceStore, StoreTransaction } from '@dmp/storage';
import { createIndexer, type SearchParameterSet } from '@dmp/storage';
import { AsyncMutex } from './async-mutex';
import { ensureIndexes } from './collections';
import { connectTransactional } from './connect';
import type { MongoContext } from './context';
import { guard } from './driver-errors';
import {
  blobFile,
  discardFiles,
  openBlob,
  recordBlob,
  stageBlob,
  statBlob,
  type StagedFiles,
} from './mongo-blob-store';
import { ackRecords, appendRecord, claimRecords, pendingRecords } from './mongo-outbox';
import { createOperations, type Access } from './operations';
import { DEFAULT_RETRY, runTransaction, type RetryPolicy } from './transactions';

export interface MongoStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…` of a replica set or sharded cluster. */
  url: string;
  /** Database; default: the URL's path, else `dmp`. */
  dbName?: string;
  /** Search parameter definitions by resource type (`SEARCH_PARAMETERS` of `@dmp/fhir`). */
  searchParameters: SearchParameterSet;
  /** Largest page size served (default 1000). */
  maxCount?: number;
  /** Clock (tests). */
  now?: () => Date;
  /** Extra driver options (TLS, pool size, timeouts…). */
  clientOptions?: MongoClientOptions;
  /** Transaction attempts on transient errors (default 5, jittered backoff from 10 ms). */
  retry?: RetryPolicy;
}

interface TxState {
  open: boolean;
  ctx: MongoContext;
  files: StagedFiles;
  /** Operations of one transaction run one at a time on its session. */
  mutex: AsyncMutex;
  tx: StoreTransaction;
}

/**
 * Opens a MongoDB-backed {@link ResourceStore}: connects, refuses a standalone server (no
 * transactions), creates the indexes (idempotent), and returns the store.
 *
 * Every write outside `transaction()` is its own multi-document transaction (current version +
 * history, or record + sequence), retried on transient errors. `transaction(work)` calls are
 * serialized within the process (as in SQLite) and retried as a whole on transient errors, so
 * `work` may run more than once. Inside `work`, calls on the store join the open transaction
 * (detected with AsyncLocalStorage). Reads outside a transaction see committed data only.
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<ResourceStore> {
  const { client, db } = await connectTransactional(options, (database) =>
    ensureIndexes(database, Object.keys(options.searchParameters)),
  );
  const base: MongoContext = {
    db,
    indexer: createIndexer(options.searchParameters),
    parameters: options.searchParameters,
    now: options.now ?? (() => new Date()),
    maxCount: options.maxCount ?? 1000,
  };
  return createStore(client, base, options.retry ?? DEFAULT_RETRY);
}

function createStore(client: MongoClient, base: MongoContext, retry: RetryPolicy): ResourceStore {
  const context = new AsyncLocalStorage<TxState>();
  const transactions = new AsyncMutex();

  const joined = <R>(state: TxState, fn: (ctx: MongoContext) => Promise<R>): Promise<R> =>
    state.mutex.run(() =>
      guard(() => {
        if (!state.open) throw new TypeError('The transaction is already finished.');
        return fn(state.ctx);
      }),
    );
  const access: Access = {
    read: (fn) => {
      const state = context.getStore();
      return state ? joined(state, fn) : guard(() => fn(base));
    },
    write: (fn) => {
      const state = context.getStore();
      if (state) return joined(state, fn);
      return runTransaction(client, (session) => fn({ ...base, session }), undefined, retry);
    },
  };
  const txAccess = (state: TxState): Access => ({
    read: (fn) => joined(state, fn),
    write: (fn) => joined(state, fn),
  });

  /** Stages outside the transaction, records inside it (or in a transaction of its own). */
  const putBlob = async (
    state: TxState | undefined,
    content: Parameters<typeof stageBlob>[1],
    type: string,
  ) => {
    if (state && !state.open) throw new TypeError('The transaction is already finished.');
    const staged = await guard(() => stageBlob(base, content));
    if (state) {
      state.files.created.push(staged.file);
      return joined(state, (ctx) => recordBlob(ctx, staged, type, state.files));
    }
    // Every attempt records the same staged file, so it is deleted only once all attempts failed
    // and no committed metadata points at it (a commit with an unknown result may have landed).
    const files: StagedFiles = { created: [staged.file], redundant: [] };
    try {
      return await runTransaction(
        client,
        (session) => recordBlob({ ...base, session }, staged, type, files),
        undefined,
        retry,
      );
    } catch (error) {
      const stored = await blobFile(base, staged.sha256).catch(() => undefined);
      if (!stored?.equals(staged.file)) await discardFiles(base, [staged.file]);
      throw error;
    } finally {
      await discardFiles(base, files.redundant);
    }
  };

  const outbox: Outbox = {
    append: (topic, payload) => access.write((ctx) => appendRecord(ctx, topic, payload)),
    claim: (topic, limit, leaseMs) =>
      access.read((ctx) => claimRecords(ctx, topic, limit, leaseMs)),
    ack: (ids) => access.read((ctx) => ackRecords(ctx, ids)),
    pending: (topic) => access.read((ctx) => pendingRecords(ctx, topic)),
  };

  const runWork = <R>(work: (tx: StoreTransaction) => Promise<R>): Promise<R> => {
    let state: TxState | undefined;
    const abort = async () => {
      if (state) {
        await discardFiles(base, [
          ...state.files.created.splice(0),
          ...state.files.redundant.splice(0),
        ]);
      }
    };
    const attempt = async (session: NonNullable<MongoContext['session']>) => {
      const current: TxState = {
        open: true,
        ctx: { ...base, session },
        files: { created: [], redundant: [] },
        mutex: new AsyncMutex(),
        tx: undefined as never,
      };
      const txOps = txAccess(current);
      current.tx = {
        ...createOperations(txOps),
        blobs: { put: (content, type) => putBlob(current, content, type) },
        outbox: { append: (t, p) => txOps.write((ctx) => appendRecord(ctx, t, p)) },
      };
      state = current;
      try {
        return await context.run(current, () => work(current.tx));
      } finally {
        current.open = false;
      }
    };
    return runTransaction(client, attempt, abort, retry).finally(async () => {
      if (state) await discardFiles(base, state.files.redundant);
    });
  };

  return {
    ...createOperations(access),
    blobs: {
      put: (content, type) => putBlob(context.getStore(), content, type),
      stat: (key) => access.read((ctx) => statBlob(ctx, key)),
      get: (key, range) => access.read((ctx) => openBlob(ctx, key, range)),
    },
    outbox,
    transaction: (work) => {
      const current = context.getStore();
      if (current) return work(current.tx);
      return transactions.run(() => runWork(work));
    },
    ping: () => guard(async () => void (await base.db.command({ ping: 1 }))),
    close: () => guard(() => client.close()),
  };
}
