import { mkdtempSync, rmSync } from 'node:fs';
import fsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { openSqliteStore } from './open-sqlite-store';

const realOpen = fsPromises.open.bind(fsPromises);

describe('a stored blob survives a power cut once its transaction committed', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmp-blob-files-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The directories fsynced while `work` runs (opened read-only, then synced). */
  async function directoriesSynced<T>(work: () => Promise<T>): Promise<[string[], T]> {
    const synced: string[] = [];
    const spy = jest.spyOn(fsPromises, 'open').mockImplementation(async (file, flags, mode) => {
      const handle = await realOpen(file, flags, mode);
      if (flags === 'r') {
        const sync = handle.sync.bind(handle);
        jest.spyOn(handle, 'sync').mockImplementation(async () => {
          await sync();
          synced.push(String(file));
        });
      }
      return handle;
    });
    const result = await work();
    spy.mockRestore();
    return [synced, result];
  }

  it('fsyncs the directory the file is renamed into, and its parents when it created them', async () => {
    const blobDir = path.join(dir, 'blobs');
    const store = openSqliteStore({
      file: path.join(dir, 'store.db'),
      blobDir,
      searchParameters: SEARCH_PARAMETERS,
    });
    try {
      const put = () =>
        store.transaction((tx) => tx.blobs.put(Buffer.from('first document'), 'text/plain'));
      const [first, info] = await directoriesSynced(put);
      const objects = path.join(blobDir, 'objects');

      expect(first).toEqual([blobDir, objects, path.join(objects, info.sha256.slice(0, 2))]);
      const [again] = await directoriesSynced(put);
      expect(again).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
