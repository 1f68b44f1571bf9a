import { mkdirSync } from 'node:fs';
import type { SearchParameterDefinition } from '@dmp/fhir';
import path from 'node:path';
import type { AuditLog, ResourceStore, StorageLocation } from '@dmp/storage';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';

/** The part of `@dmp/storage-mongo` used here (loaded lazily, see below). */
interface MongoAdapter {
  openMongoStore: (options: MongoOptions & { blobSweep: object }) => Promise<ResourceStore>;
  openMongoAuditLog: (options: MongoOptions) => Promise<AuditLog>;
  openMongoAuditRetention: (options: { url: string }) => Promise<AuditRetention>;
}

/** The retention part of the audit log, possibly on a connection of its own. */
export type AuditRetention = Pick<AuditLog, 'purgeBefore' | 'close'>;

type SearchParameters = Readonly<Record<string, readonly SearchParameterDefinition[]>>;

interface MongoOptions {
  url: string;
  searchParameters: SearchParameters;
}

function mongoAdapter(): MongoAdapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy adapter load: SQLite deployments never load the driver
  return require('@dmp/storage-mongo') as MongoAdapter;
}

/**
 * Opens the adapter a storage URL names. The MongoDB adapter is required lazily, so a service on
 * SQLite never loads the MongoDB driver; it refuses a standalone server (no transactions).
 */
export function openStore(
  location: StorageLocation,
  searchParameters: Readonly<Record<string, readonly SearchParameterDefinition[]>>,
): Promise<ResourceStore> {
  switch (location.kind) {
    case 'sqlite':
      mkdirSync(location.blobDir, { recursive: true });
      return Promise.resolve(
        openSqliteStore({ file: location.file, blobDir: location.blobDir, searchParameters }),
      );
    case 'mongodb': {
      // Staged blob files nobody references (crashes) are swept hourly by one instance.
      return mongoAdapter().openMongoStore({ url: location.url, searchParameters, blobSweep: {} });
    }
  }
}

/**
 * Opens the audit service's append-only log at a storage location: with SQLite a file of its own
 * beside the service database (`audit-log.sqlite`), with MongoDB collections of the same database.
 */
export function openAuditLog(
  location: StorageLocation,
  searchParameters: SearchParameters,
): Promise<AuditLog> {
  switch (location.kind) {
    case 'sqlite': {
      const file =
        location.file === ':memory:'
          ? ':memory:'
          : path.join(path.dirname(location.file), 'audit-log.sqlite');
      return Promise.resolve(openSqliteAuditLog({ file, searchParameters }));
    }
    case 'mongodb':
      return mongoAdapter().openMongoAuditLog({ url: location.url, searchParameters });
  }
}

/**
 * Retention of the audit log under its own database user (`AUDIT_RETENTION_STORAGE_URL`): on
 * MongoDB a second connection whose user has the retention role (remove on `audit_log`), which
 * the audit service's append-only user lacks. SQLite has no users: the log itself purges.
 */
export async function openAuditRetention(
  location: StorageLocation,
  log: AuditLog,
): Promise<AuditRetention> {
  if (location.kind === 'sqlite')
    return { purgeBefore: (cutoff) => log.purgeBefore(cutoff), close: () => Promise.resolve() };
  return mongoAdapter().openMongoAuditRetention({ url: location.url });
}
