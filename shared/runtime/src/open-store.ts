import { mkdirSync } from 'node:fs';
import type { SearchParameterDefinition } from '@dmp/fhir';
import type { ResourceStore, StorageLocation } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';

/** Opens the adapter a storage URL names. MongoDB arrives with its own adapter package. */
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
    case 'mongodb':
      throw new Error('MongoDB storage is not available in this build yet; use sqlite:<file>');
  }
}
