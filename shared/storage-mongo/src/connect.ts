import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { guard } from './driver-errors';
import { assertTransactionalTopology, type HelloReply } from './topology';

/** `mongodb://host/db?…` → `db`; undefined without a path. */
export function databaseFromUrl(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/**
 * Connects and refuses a standalone server (no multi-document transactions), then runs `setup`
 * (index creation); the client is closed if anything fails. Unreachable servers are a 503.
 */
export async function connectTransactional(
  options: { url: string; dbName?: string; clientOptions?: MongoClientOptions },
  setup: (db: Db) => Promise<unknown>,
): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: 10_000,
    retryWrites: true,
    // Stored JSON as SQLite stores it: an `undefined` property is left out, never turned to null.
    ignoreUndefined: true,
    ...options.clientOptions,
  });
  return openOnClient(client, options.dbName ?? databaseFromUrl(options.url) ?? 'dmp', setup);
}

/** Connects `client` (closed again if anything fails), checks the topology, runs `setup`. */
export async function openOnClient(
  client: MongoClient,
  dbName: string,
  setup: (db: Db) => Promise<unknown>,
): Promise<{ client: MongoClient; db: Db }> {
  await guard(() => client.connect());
  try {
    const hello = (await guard(() => client.db('admin').command({ hello: 1 }))) as HelloReply;
    assertTransactionalTopology(hello);
    const db = client.db(dbName);
    await guard(() => setup(db));
    return { client, db };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}
