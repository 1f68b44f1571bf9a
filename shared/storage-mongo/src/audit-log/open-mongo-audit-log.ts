import type { AuditEvent } from 'fhir/r4';
import type { Db, MongoClient, MongoClientOptions } from 'mongodb';
import type { AppendOutcome, AuditLog, SearchParameterSet } from '@dmp/storage';
import { createGroupCommit, createIndexer, type GroupOutcome } from '@dmp/storage';
import { fhirError } from '@dmp/errors';
import { AsyncMutex } from '../async-mutex';
import { ensureCollection, RESOURCE_INDEXES } from '../collections';
import { connectTransactional, openOnClient } from '../connect';
import type { MongoContext } from '../context';
import { guard } from '../driver-errors';
import { DEFAULT_RETRY, runTransaction, type RetryPolicy } from '../transactions';
import { appendGroup, auditLog, readAnchor, readHead } from './audit-append';
import { purgeInBatches } from './audit-purge';
import { AUDIT_ANCHORS, AUDIT_CHECKPOINTS, AUDIT_LOG, type CheckpointDoc } from './audit-docs';
import { listCheckpoints, scanAudit, searchAudit, verifyAudit } from './audit-read';

export interface MongoAuditLogOptions {
  url: string;
  /** Default: the URL's path, else `dmp`. */
  dbName?: string;
  /** Search parameter definitions (only `AuditEvent` is used). */
  searchParameters: SearchParameterSet;
  maxCount?: number;
  now?: () => Date;
  clientOptions?: MongoClientOptions;
  retry?: RetryPolicy;
  /** Records removed per retention transaction (default 1000). */
  purgeBatch?: number;
}

/** Idempotent: unique event id, time order, and the resource-style search indexes. */
export async function ensureAuditIndexes(db: Db): Promise<void> {
  await db
    .collection(AUDIT_LOG)
    .createIndexes([
      { key: { id: 1 }, name: 'event_id', unique: true },
      { key: { recorded: -1, sk: -1 }, name: 'by_recorded' },
      ...RESOURCE_INDEXES.filter((index) =>
        Object.keys(index.key).some((k) => k.startsWith('idx.')),
      ),
    ]);
  await db.collection(AUDIT_CHECKPOINTS).createIndexes([{ key: { time: 1 }, name: 'by_time' }]);
  await ensureCollection(db, AUDIT_ANCHORS);
}

/**
 * Opens the MongoDB {@link AuditLog}: `audit_log` (gapless unique sequence as `_id`, unique event
 * id, hash chain), `audit_checkpoints`, `audit_anchors`. Appends made during one event-loop turn
 * are committed in one transaction (group commit); when a group fails for a reason other than a
 * transient one, its calls are retried one by one so one bad call does not fail the others. The
 * database user of the audit service should only be allowed insert and find (README).
 */
export async function openMongoAuditLog(options: MongoAuditLogOptions): Promise<AuditLog> {
  const { client, db } = await connectTransactional(options, ensureAuditIndexes);
  return auditLogOn(client, db, options);
}

/** The same on a client of the caller's (the in-memory stand-in of the driver, in tests). */
export async function openMongoAuditLogOnClient(
  client: MongoClient,
  options: Omit<MongoAuditLogOptions, 'url' | 'clientOptions'> & { dbName: string },
): Promise<AuditLog> {
  const { db } = await openOnClient(client, options.dbName, ensureAuditIndexes);
  return auditLogOn(client, db, options);
}

function auditLogOn(
  client: MongoClient,
  db: Db,
  options: Omit<MongoAuditLogOptions, 'url' | 'clientOptions'>,
): AuditLog {
  const ctx: MongoContext = {
    db,
    indexer: createIndexer({ AuditEvent: options.searchParameters.AuditEvent ?? [] }),
    parameters: { AuditEvent: options.searchParameters.AuditEvent ?? [] },
    now: options.now ?? (() => new Date()),
    maxCount: options.maxCount ?? 1000,
  };
  return createAuditLog(client, ctx, options.retry ?? DEFAULT_RETRY, options.purgeBatch);
}

/**
 * Retention alone, on a connection of its own (`AUDIT_RETENTION_STORAGE_URL`: a user with the
 * retention role, allowed to remove from `audit_log`, which the audit service's user is not).
 * Creates nothing: the audit log made its collections and indexes at start.
 */
export async function openMongoAuditRetention(
  options: Pick<
    MongoAuditLogOptions,
    'url' | 'dbName' | 'now' | 'clientOptions' | 'retry' | 'purgeBatch'
  >,
): Promise<Pick<AuditLog, 'purgeBefore' | 'close'>> {
  const { client, db } = await connectTransactional(options, () => Promise.resolve());
  const ctx: MongoContext = {
    db,
    indexer: createIndexer({}),
    parameters: {},
    now: options.now ?? (() => new Date()),
    maxCount: 0,
  };
  const retry = options.retry ?? DEFAULT_RETRY;
  const runs = new AsyncMutex();
  return {
    purgeBefore: (cutoff) =>
      runs.run(() => purgeInBatches(client, ctx, cutoff, retry, options.purgeBatch)),
    close: () => guard(() => client.close()),
  };
}

function createAuditLog(
  client: MongoClient,
  ctx: MongoContext,
  retry: RetryPolicy,
  purgeBatch?: number,
): AuditLog {
  /** Appends (one group at a time) and purges, one after the other. */
  const writes = new AsyncMutex();
  let closed = false;
  const inTransaction = <R>(fn: (tx: MongoContext) => Promise<R>) =>
    runTransaction(client, (session) => fn({ ...ctx, session }), undefined, retry);

  /**
   * One group in one transaction; when it fails for a reason other than a transient one (those
   * are retried by `runTransaction`), its calls are retried one by one so one bad call does not
   * fail the others.
   */
  const group = createGroupCommit((batch: readonly (readonly AuditEvent[])[]) =>
    writes.run(async (): Promise<GroupOutcome<AppendOutcome[]>[]> => {
      try {
        const results = await inTransaction((tx) => appendGroup(tx, batch));
        return batch.map((_, i) => ({ value: results[i] ?? [] }));
      } catch (error) {
        if (batch.length === 1) throw error;
        const outcomes: GroupOutcome<AppendOutcome[]>[] = [];
        for (const events of batch) {
          outcomes.push(
            await inTransaction((tx) => appendGroup(tx, [events])).then(
              (results) => ({ value: results[0] ?? [] }),
              (callError: unknown) => ({ error: callError }),
            ),
          );
        }
        return outcomes;
      }
    }),
  );

  return {
    append(events) {
      if (closed) {
        return Promise.reject(fhirError('DMP-STORAGE-UNAVAILABLE', 'The audit log is closed.'));
      }
      if (events.length === 0) return Promise.resolve([]);
      return group.submit(events);
    },
    read: (id) =>
      guard(async () => {
        const doc = await auditLog(ctx).findOne({ id });
        return doc ? (JSON.parse(doc.json) as AuditEvent) : undefined;
      }),
    search: (query) => guard(() => searchAudit(ctx, query)),
    scan: (scanOptions) => guardIterable(scanAudit(ctx, scanOptions ?? {})),
    head: () => guard(() => readHead(ctx)),
    anchor: () => guard(() => readAnchor(ctx)),
    verify: (onProgress) => guard(async () => verifyAudit(ctx, await readAnchor(ctx), onProgress)),
    addCheckpoint: (checkpoint) =>
      guard(async () => {
        const doc: CheckpointDoc = {
          _id: checkpoint.seq,
          hash: checkpoint.hash,
          time: checkpoint.time,
          jws: checkpoint.jws,
        };
        // Insert-only (no upsert): a checkpoint already stored for this sequence is kept as is.
        await ctx.db
          .collection<CheckpointDoc>(AUDIT_CHECKPOINTS)
          .insertOne(doc)
          .catch((error: unknown) => {
            if ((error as { code?: unknown }).code !== 11000) throw error;
          });
      }),
    checkpoints: () => guard(() => listCheckpoints(ctx)),
    purgeBefore: (cutoff) =>
      writes.run(() => purgeInBatches(client, ctx, cutoff, retry, purgeBatch)),
    ping: () => guard(async () => void (await ctx.db.command({ ping: 1 }))),
    close: () =>
      guard(async () => {
        if (closed) return;
        closed = true;
        await group.settled();
        await writes.run(() => Promise.resolve());
        await client.close();
      }),
  };
}

async function* guardIterable<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    const next = await guard(() => iterator.next());
    if (next.done) return;
    yield next.value;
  }
}
