import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { contractEvent, describeAuditLogContract } from '@dmp/storage';
import { openSqliteAuditLog } from './open-sqlite-audit-log';

describeAuditLogContract({
  name: 'sqlite :memory:',
  open: () =>
    Promise.resolve(openSqliteAuditLog({ file: ':memory:', searchParameters: SEARCH_PARAMETERS })),
  teardown: (log) => log.close(),
});

const dirs: string[] = [];
describeAuditLogContract({
  name: 'sqlite WAL file',
  open: () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dmp-audit-log-'));
    dirs.push(dir);
    return Promise.resolve(
      openSqliteAuditLog({
        file: path.join(dir, 'audit.sqlite'),
        searchParameters: SEARCH_PARAMETERS,
        synchronous: 'NORMAL',
      }),
    );
  },
  teardown: async (log) => {
    await log.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  },
});

describe('the SQLite audit log file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dmp-audit-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses UPDATE and DELETE of stored events in the database itself', async () => {
    const file = path.join(dir, 'audit.sqlite');
    const log = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    await log.append([contractEvent(1)]);
    await log.close();
    const db = new Database(file);
    try {
      expect(() => db.exec("UPDATE audit_events SET json = '{}'")).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM audit_events')).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('opened read-only, refuses writes and changes nothing in the file', async () => {
    const file = path.join(dir, 'audit.sqlite');
    const log = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    await log.append([contractEvent(1)]);
    const reader = openSqliteAuditLog({
      file,
      searchParameters: SEARCH_PARAMETERS,
      readonly: true,
    });
    try {
      await expect(reader.append([contractEvent(2)])).rejects.toMatchObject({
        code: 'DMP-STORAGE-UNAVAILABLE',
      });
      expect((await reader.verify()).ok).toBe(true);
    } finally {
      await reader.close();
      await log.close();
    }
  });

  it('keeps one chain when two processes append to the same file', async () => {
    const file = path.join(dir, 'audit.sqlite');
    const one = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    const two = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    try {
      await one.append([contractEvent(1)]);
      await two.append([contractEvent(2)]);
      await one.append([contractEvent(3)]);
      expect(await two.verify()).toMatchObject({ ok: true, verified: 3 });
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('answers an append once its group commit is flushed to disk', async () => {
    const file = path.join(dir, 'flushed.db');
    const flushes: { file: string; end: () => void }[] = [];
    const log = openSqliteAuditLog({
      file,
      searchParameters: SEARCH_PARAMETERS,
      walFlusher: {
        flush: (wal) => new Promise<void>((end) => flushes.push({ file: wal, end })),
        close: () => undefined,
      },
    });
    let answered = false;
    const appended = log.append([contractEvent(1)]).then((outcomes) => {
      answered = true;
      return outcomes;
    });
    while (flushes.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(flushes[0]?.file).toBe(`${file}-wal`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    flushes[0]?.end();
    expect((await appended).map((o) => o.created)).toEqual([true]);
    const closing = log.close();
    while (flushes.length < 2) await new Promise((resolve) => setImmediate(resolve));
    flushes[1]?.end();
    await closing;
  });

  it('keeps the chain across a reopen (the head is read back from the file)', async () => {
    const file = path.join(dir, 'audit.sqlite');
    const first = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    await first.append([contractEvent(1), contractEvent(2)]);
    await first.close();
    const again = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    try {
      expect((await again.append([contractEvent(3)]))[0]?.seq).toBe(3);
      expect(await again.verify()).toMatchObject({ ok: true, verified: 3 });
    } finally {
      await again.close();
    }
  });
});
