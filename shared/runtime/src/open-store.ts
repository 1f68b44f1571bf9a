import { mkdirSync } from 'node:fs';
import type { SearchParameterDefinition } from '@dmp/fhir';
import type { ResourceStore, StorageLocation } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';

/** The part of `@dmp/storage-mongo` used here (loaded lazily, see below). */
interface MongoAdapter {
  openMongoStore: (options: {
    url: string;
    searchParameters: Readonly<Record<string, readonly SearchParameterDefinition[]>>;
  }) => Promise<ResourceStore>;
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
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy adapter load: SQLite deployments never load the driver
      const { openMongoStore } = require('@dmp/storage-mongo') as MongoAdapter;
      return openMongoStore({ url: location.url, searchParameters });
    }
  }
}
