import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DocumentReference } from 'fhir/r4';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { openSqliteStore } from './open-sqlite-store';

describe('a file database', () => {
  it('keeps its data across reopen, applies each migration once, and runs in WAL mode', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmp-reopen-'));
    const file = path.join(dir, 'store.db');
    const options = { file, blobDir: path.join(dir, 'blobs'), searchParameters: SEARCH_PARAMETERS };
    const first = openSqliteStore(options);
    const created = await first.create<DocumentReference>({
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { url: 'Binary/1' } }],
    });
    await first.close();
    const second = openSqliteStore(options);
    await expect(second.read('DocumentReference', created.id ?? '')).resolves.toEqual(created);
    await second.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM migrations').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('durable commits of a file database', () => {
  const doc = (url: string): DocumentReference => ({
    resourceType: 'DocumentReference',
    status: 'current',
    content: [{ attachment: { url } }],
  });

  it('answers a write once its WAL flush ends, without holding the write lock meanwhile', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmp-walsync-'));
    const flushes: { file: string; end: () => void }[] = [];
    const store = openSqliteStore({
      file: path.join(dir, 'store.db'),
      blobDir: path.join(dir, 'blobs'),
      searchParameters: SEARCH_PARAMETERS,
      walFlusher: {
        flush: (file) => new Promise<void>((end) => flushes.push({ file, end })),
        close: () => undefined,
      },
    });
    let firstAnswered = false;
    const first = store.create(doc('Binary/1')).then((stored) => {
      firstAnswered = true;
      return stored;
    });
    while (flushes.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(flushes[0]?.file).toBe(path.join(dir, 'store.db-wal'));
    expect(firstAnswered).toBe(false);
    // The lock is free: a second transaction commits (visible to readers) while the first
    // flush is still running, and waits for a flush of its own, started after that one.
    const second = store.transaction((tx) => tx.create(doc('Binary/2')));
    const reader = new Database(path.join(dir, 'store.db'), { readonly: true });
    const committed = () =>
      (reader.prepare('SELECT COUNT(*) AS n FROM resources').get() as { n: number }).n;
    while (committed() < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    reader.close();
    expect(flushes).toHaveLength(1);
    flushes[0]?.end();
    const stored = await first;
    while (flushes.length < 2) await new Promise((resolve) => setImmediate(resolve));
    flushes[1]?.end();
    await second;
    await expect(store.read('DocumentReference', stored.id ?? '')).resolves.toEqual(stored);
    const closing = store.close();
    while (flushes.length < 3) await new Promise((resolve) => setImmediate(resolve));
    flushes[2]?.end();
    await closing;
    rmSync(dir, { recursive: true, force: true });
  });
});
