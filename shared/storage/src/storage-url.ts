import path from 'node:path';

/** Where a service keeps its data, parsed from `<SERVICE>_STORAGE_URL`. */
export type StorageLocation =
  { kind: 'sqlite'; file: string; blobDir: string } | { kind: 'mongodb'; url: string };

/**
 * `sqlite:<file>` (relative to the working directory, or `sqlite::memory:`) or
 * `mongodb://…` / `mongodb+srv://…`. Blobs of a SQLite store live beside its file.
 */
export function parseStorageUrl(url: string): StorageLocation {
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) {
    return { kind: 'mongodb', url };
  }
  const match = /^sqlite:(.+)$/.exec(url);
  if (!match?.[1]) {
    throw new Error('storage URL must be sqlite:<file> or mongodb://…');
  }
  const file = match[1];
  if (file === ':memory:') return { kind: 'sqlite', file, blobDir: '' };
  const resolved = path.resolve(file);
  return { kind: 'sqlite', file: resolved, blobDir: path.join(path.dirname(resolved), 'blobs') };
}

export function defaultStorageUrl(dataDir: string, service: string): string {
  return `sqlite:${path.join(dataDir, service, `${service}.sqlite`)}`;
}
