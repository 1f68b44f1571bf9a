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
