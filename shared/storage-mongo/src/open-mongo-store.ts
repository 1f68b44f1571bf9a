import type { MongoClient, MongoClientOptions } from 'mongodb';
import type { ResourceStore } from '@dmp/storage';
import { createIndexer, type SearchParameterSet } from '@dmp/storage';
import { ensureSweeperLease, startBlobSweeper, type BlobSweepOptions } from './blob-sweeper';
import { ensureIndexes } from './collections';
import { ensureFeedCounter } from './mongo-feed';
import { connectTransactional, openOnClient } from './connect';
import type { MongoContext } from './context';
import { createStore } from './mongo-store';
import { ensurePatientKeys } from './pat-migration';
import { DEFAULT_RETRY, type RetryPolicy } from './transactions';

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
  /** Sweep unreferenced staged blob files in the background (the services' runtime sets it). */
  blobSweep?: BlobSweepOptions;
  /** Most chain targets listed in an `$in` before the chain is joined (tests lower it). */
  chainInLimit?: number;
  /** Reports background failures (the blob sweeper). */
  onBackgroundError?: (error: unknown) => void;
}

/**
 * Opens a MongoDB-backed {@link ResourceStore}: connects, refuses a standalone server (no
 * transactions), creates the collections, indexes and the sweeper's lease (idempotent),
 * recomputes `pat` when its derivation changed, and returns the store.
 *
 * Every write outside `transaction()` is its own multi-document transaction (current version +
 * history), retried on transient errors. `transaction(work)` calls run concurrently (no lock,
 * in a process or across instances) and are retried as a whole on transient errors, so `work`
 * may run more than once. Inside `work`, calls on the store join the open transaction
 * (detected with AsyncLocalStorage). Reads outside a transaction see committed data only.
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<ResourceStore> {
  const { client, db } = await connectTransactional(options, (database) =>
    prepare(database, options),
  );
  return storeOn(client, db, options);
}

/** The same on a client made elsewhere (tests pass a stand-in of the driver's client). */
export async function openMongoStoreOnClient(
  client: MongoClient,
  options: Omit<MongoStoreOptions, 'url' | 'clientOptions'> & { dbName: string },
): Promise<ResourceStore> {
  const { db } = await openOnClient(client, options.dbName, (database) =>
    prepare(database, options),
  );
  return storeOn(client, db, options);
}

async function prepare(
  db: MongoContext['db'],
  options: Pick<MongoStoreOptions, 'searchParameters' | 'now'>,
): Promise<void> {
  const types = Object.keys(options.searchParameters);
  await ensureIndexes(db, types);
  await ensureSweeperLease({ db, now: options.now ?? (() => new Date()) } as MongoContext);
  await ensureFeedCounter({ db });
  await ensurePatientKeys(db, types);
}

function storeOn(
  client: MongoClient,
  db: MongoContext['db'],
  options: Omit<MongoStoreOptions, 'url'>,
): ResourceStore {
  const base: MongoContext = {
    db,
    indexer: createIndexer(options.searchParameters),
    parameters: options.searchParameters,
    now: options.now ?? (() => new Date()),
    maxCount: options.maxCount ?? 1000,
    ...(options.chainInLimit === undefined ? {} : { chainInLimit: options.chainInLimit }),
  };
  const sweeper = options.blobSweep
    ? startBlobSweeper(base, options.blobSweep, options.onBackgroundError)
    : undefined;
  return createStore(client, base, options.retry ?? DEFAULT_RETRY, async () => {
    await sweeper?.stop();
  });
}
