import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FhirError } from '@dmp/errors';
import { guard, toStoreError } from './driver-errors';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('driver errors never leave the adapter', () => {
  it('a UNIQUE violation becomes a 409 DMP-RESOURCE-DUPLICATE FhirError', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    db.prepare('INSERT INTO t VALUES (?)').run('a');
    const error = thrown(() => guard(() => db.prepare('INSERT INTO t VALUES (?)').run('a')));
    expect(error).toBeInstanceOf(FhirError);
    expect(error).toMatchObject({ status: 409, code: 'DMP-RESOURCE-DUPLICATE' });
    db.close();
  });

  it('a database locked by another writer (SQLITE_BUSY) becomes a 503 DMP-STORAGE-UNAVAILABLE', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmp-busy-'));
    const file = path.join(dir, 'busy.db');
    const first = new Database(file);
    first.pragma('journal_mode = WAL');
    first.exec('CREATE TABLE t (k TEXT)');
    const second = new Database(file);
    second.pragma('busy_timeout = 0');
    first.exec('BEGIN IMMEDIATE');
    const error = thrown(() => guard(() => second.exec('BEGIN IMMEDIATE')));
    expect(error).toMatchObject({ status: 503, code: 'DMP-STORAGE-UNAVAILABLE' });
    expect((error as FhirError).outcome.issue[0]?.diagnostics).not.toMatch(/SQLITE/);
    first.exec('ROLLBACK');
    first.close();
    second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a closed connection becomes a 503, and our own errors pass through unchanged', () => {
    const db = new Database(':memory:');
    db.close();
    expect(thrown(() => guard(() => db.prepare('SELECT 1')))).toMatchObject({ status: 503 });
    const own = new RangeError('bad range');
    expect(toStoreError(own)).toBe(own);
  });
});
