import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable } from 'node:stream';
import { ObjectId, type ClientSession, type MongoClient } from 'mongodb';
import type { BlobInfo, ChangeFeed, Outbox, ResourceStore, StoreTransaction } from '@dmp/storage';
import { coalescedRun } from '@dmp/storage';
import { AsyncMutex } from './async-mutex';
import type { MongoContext } from './context';
import { guard } from './driver-errors';
import {
  discardFiles,
  openBlob,
  provenUnreferenced,
  recordBlob,
  stageBlob,
  statBlob,
  toBlobInfo,
  type BlobDoc,
  type StagedFiles,
  type StagedRef,
} from './mongo-blob-store';
import { BLOBS } from './collections';
import { ackRecords, appendRecord, claimRecords, pendingRecords } from './mongo-outbox';
import {
  appendEntry,
  feedHead,
  hasPending,
  listFollowers,
  numberPending,
  NUMBERING_BATCH,
  readEntries,
  renewFollower,
} from './mongo-feed';
import { createOperations, type Access } from './operations';
import { runTransaction, type RetryPolicy } from './transactions';
import { claimUnique } from './unique-claims';

/** One attempt of a `transaction(work)`: its session, staged files and uploads in flight. */
interface Attempt {
  open: boolean;
  ctx: MongoContext;
  files: StagedFiles;
  /** Uploads still running: each deletes its own file if the attempt ended meanwhile. */
  uploading: Set<StagedRef>;
  /** Stops the uploads of an attempt that ended. */
  stop: AbortController;
  /** Operations of one transaction run one at a time on its session. */
  mutex: AsyncMutex;
  /** A change feed entry was appended (to be numbered once committed). */
  appended: boolean;
  tx: StoreTransaction;
}

const finished = () => new TypeError('The transaction is already finished.');

/**
 * The store over a connected client. No lock between transactions: each runs on its own session
 * and snapshot, and MongoDB's write conflicts (retried as a whole by `runTransaction`) and unique
 * keys (`claimUnique`) decide between concurrent ones, in one process as across instances.
 * Inside `work`, calls on the store join the open attempt (AsyncLocalStorage) and let driver
 * errors through unchanged, so a transient one reaches the retry loop; they are mapped to
 * 409/503 once, after the last attempt.
 */
export function createStore(
  client: MongoClient,
  base: MongoContext,
  retry: RetryPolicy,
  onClose: () => Promise<void> = () => Promise.resolve(),
): ResourceStore {
  const context = new AsyncLocalStorage<Attempt>();

  const joined = <R>(attempt: Attempt, fn: (ctx: MongoContext) => Promise<R>): Promise<R> =>
    attempt.mutex.run(() => (attempt.open ? fn(attempt.ctx) : Promise.reject(finished())));
  const inTransaction = <R>(fn: (ctx: MongoContext) => Promise<R>) =>
    runTransaction(client, (session) => fn({ ...base, session }), undefined, retry);
  const access: Access = {
    read: (fn) => {
      const attempt = context.getStore();
      return attempt ? joined(attempt, fn) : guard(() => fn(base));
    },
    write: (fn) => {
      const attempt = context.getStore();
      return attempt ? joined(attempt, fn) : inTransaction(fn);
    },
  };

  /** Uploads first (outside the server transaction), then records the metadata in it. */
  const putInAttempt = async (attempt: Attempt, content: Readable | Buffer, type: string) => {
    if (!attempt.open) throw finished();
    const ref: StagedRef = { file: new ObjectId() };
    attempt.uploading.add(ref);
    let staged;
    try {
      staged = await stageBlob(base, content, ref.file, attempt.stop.signal);
    } finally {
      attempt.uploading.delete(ref);
    }
    ref.sha256 = staged.sha256;
    if (!attempt.open) {
      await discardFiles(base, [ref.file]);
      throw finished();
    }
    attempt.files.created.push(ref);
    return joined(attempt, (ctx) => recordBlob(ctx, staged, type, attempt.files));
  };

  const newAttempt = (session: ClientSession): Attempt => {
    const attempt: Attempt = {
      open: true,
      ctx: { ...base, session },
      files: { created: [], redundant: [] },
      uploading: new Set(),
      stop: new AbortController(),
      mutex: new AsyncMutex(),
      appended: false,
      tx: undefined as never,
    };
    const ops: Access = { read: (fn) => joined(attempt, fn), write: (fn) => joined(attempt, fn) };
    attempt.tx = {
      ...createOperations(ops),
      blobs: { put: (content, type) => putInAttempt(attempt, content, type) },
      outbox: { append: (t, p) => joined(attempt, (ctx) => appendRecord(ctx, t, p)) },
      feed: {
        append: (p) =>
          joined(attempt, async (ctx) => {
            await appendEntry(ctx, p);
            attempt.appended = true;
          }),
      },
      claimUnique: (namespace, key) => joined(attempt, (ctx) => claimUnique(ctx, namespace, key)),
    };
    return attempt;
  };

  const transaction = <R>(work: (tx: StoreTransaction) => Promise<R>): Promise<R> => {
    const current = context.getStore();
    if (current) return work(current.tx);
    let attempt: Attempt | undefined;
    const body = async (session: ClientSession) => {
      const mine = newAttempt(session);
      attempt = mine;
      try {
        return await context.run(mine, () => work(mine.tx));
      } finally {
        mine.open = false;
        mine.stop.abort();
      }
    };
    const abort = async () => {
      if (!attempt) return;
      const { created, redundant } = attempt.files;
      await discardFiles(base, [...created.map((ref) => ref.file), ...redundant]);
    };
    const unknownCommit = async () => {
      if (!attempt) return;
      const unreferenced = await provenUnreferenced(base, attempt.files.created);
      await discardFiles(base, [...unreferenced, ...attempt.files.redundant]);
    };
    return runTransaction(client, body, abort, retry, unknownCommit).then(async (result) => {
      if (attempt) await discardFiles(base, attempt.files.redundant);
      // Committed: a numbering that fails leaves the entry to the next pass (head(), read()).
      if (attempt?.appended) await numberAll().catch(() => undefined);
      return result;
    });
  };

  /**
   * Numbers every feed entry committed before the call: passes until one finds less than a
   * full batch (its snapshot, taken after the call, then held nothing more).
   */
  async function numberPassesNow(): Promise<void> {
    if (!(await guard(() => hasPending(base)))) return;
    let numbered;
    do numbered = await inTransaction((ctx) => numberPending(ctx));
    while (numbered === NUMBERING_BATCH);
  }

  /**
   * `numberPassesNow`, shared by the callers of this process: concurrent polls would otherwise
   * run numbering transactions that conflict over the counter and retry. A caller joins the run
   * that starts next (one that started before its call may have missed its entry), so one run
   * at a time, and at most one waiting, serve every caller.
   */
  const numberAll = coalescedRun(numberPassesNow);

  /** A put outside a transaction: staged once, recorded in a transaction of its own. */
  const putAlone = async (content: Readable | Buffer, type: string): Promise<BlobInfo> => {
    const ref: StagedRef = { file: new ObjectId() };
    const staged = await guard(() => stageBlob(base, content, ref.file));
    ref.sha256 = staged.sha256;
    let files: StagedFiles = { created: [ref], redundant: [] };
    let unknown = false;
    try {
      return await runTransaction(
        client,
        (session) => recordBlob({ ...base, session }, staged, type, files),
        () => {
          // The file stays staged for the next attempt, which decides afresh.
          files = { created: [ref], redundant: [] };
          return Promise.resolve();
        },
        retry,
        () => Promise.resolve(void (unknown = true)),
      );
    } catch (error) {
      if (!unknown) {
        await discardFiles(base, [ref.file]);
        throw error;
      }
      // The commit may have landed: read what is committed before deleting anything.
      const doc = await base.db
        .collection<BlobDoc>(BLOBS)
        .findOne({ _id: staged.sha256 })
        .catch(() => 'unknown' as const);
      if (doc === 'unknown') throw error;
      if (!doc?.file.equals(ref.file)) await discardFiles(base, [ref.file]);
      if (doc) return toBlobInfo(doc);
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

  const feed: ChangeFeed = {
    read: async (after, limit) => {
      await numberAll();
      return access.read((ctx) => readEntries(ctx, after, limit));
    },
    head: async () => {
      await numberAll();
      return access.read((ctx) => feedHead(ctx));
    },
    renew: (follower, acked, leaseMs) =>
      access.read((ctx) => renewFollower(ctx, follower, acked, leaseMs)),
    followers: () => access.read((ctx) => listFollowers(ctx)),
  };

  return {
    ...createOperations(access),
    blobs: {
      put: (content, type) => {
        const attempt = context.getStore();
        return attempt ? putInAttempt(attempt, content, type) : putAlone(content, type);
      },
      stat: (key) => access.read((ctx) => statBlob(ctx, key)),
      get: (key, range) => access.read((ctx) => openBlob(ctx, key, range)),
    },
    outbox,
    feed,
    transaction,
    ping: () => guard(async () => void (await base.db.command({ ping: 1 }))),
    close: () =>
      guard(async () => {
        await onClose();
        await client.close();
      }),
  };
}
