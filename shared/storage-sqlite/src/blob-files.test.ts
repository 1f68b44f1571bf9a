import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import fsPromises, { type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { openSqliteStore } from './open-sqlite-store';

const realOpen = fsPromises.open.bind(fsPromises);

/** Every file below `dir`, relative to it. */
const filesBelow = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));

describe('a stored blob survives a power cut once its transaction committed', () => {
  let dir: string;
  let blobDir: string;
  let store: ResourceStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmp-blob-files-'));
    blobDir = path.join(dir, 'blobs');
    store = openSqliteStore({
      file: path.join(dir, 'store.db'),
      blobDir,
      searchParameters: SEARCH_PARAMETERS,
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs `work` with every file-system handle watched: the paths fsynced (directories opened
   * read-only, files written) and whether each sync came before `work` resolved. `failSync`
   * makes the syncs of written files fail.
   */
  async function watchingSyncs<T>(
    work: () => Promise<T>,
    failSync = false,
  ): Promise<{ directories: string[]; files: string[]; result: T }> {
    const directories: string[] = [];
    const files: string[] = [];
    const spy = jest.spyOn(fsPromises, 'open').mockImplementation(async (file, flags, mode) => {
      const handle: FileHandle = await realOpen(file, flags, mode);
      const sync = handle.sync.bind(handle);
      jest.spyOn(handle, 'sync').mockImplementation(async () => {
        if (failSync && flags !== 'r') throw new Error('EIO: the disk failed');
        await sync();
        (flags === 'r' ? directories : files).push(String(file));
      });
      return handle;
    });
    try {
      const result = await work();
      return { directories: directories.sort(), files, result };
    } finally {
      spy.mockRestore();
    }
  }

  const put = (text: string) =>
    store.transaction((tx) => tx.blobs.put(Buffer.from(text), 'text/plain'));

  it('fsyncs the file, the directory it is renamed into, and its parents when it created them', async () => {
    const { directories, files, result } = await watchingSyncs(() => put('first document'));

    const objects = path.join(blobDir, 'objects');
    expect(directories).toEqual(
      [blobDir, objects, path.join(objects, result.sha256.slice(0, 2))].sort(),
    );
    expect(files).toHaveLength(1);
    expect((await watchingSyncs(() => put('first document'))).directories).toEqual([]);
  });

  it('syncs the files of concurrent transactions, each once, before they answer', async () => {
    const texts = ['one', 'two', 'three', 'four'];

    const { files, result } = await watchingSyncs(() => Promise.all(texts.map(put)));

    expect(files).toHaveLength(texts.length);
    expect(new Set(result.map((info) => info.key)).size).toBe(texts.length);
  });

  it('stores nothing when a file cannot be synced: no row, no file', async () => {
    await expect(watchingSyncs(() => put('never on disk'), true)).rejects.toThrow();

    const key = createHash('sha256').update('never on disk').digest('hex');
    expect(await store.blobs.stat(key)).toBeUndefined();
    expect(filesBelow(blobDir)).toEqual([]);
    const info = await store.transaction((tx) => tx.blobs.put(Buffer.from('x'), 'text/plain'));
    expect(await store.blobs.stat(info.key)).toBeDefined();
    expect(filesBelow(blobDir)).toHaveLength(1);
  });
});
