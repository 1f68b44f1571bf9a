import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWalSync, keptOpenFlusher } from './wal-sync';

/** A flush under the test's control: each call is recorded and ends when the test says so. */
function controlledFlush() {
  const calls: { file: string; end: (error?: Error) => void }[] = [];
  const flush = {
    flush: (file: string) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ file, end: (error) => (error ? reject(error) : resolve()) });
      }),
    close: () => undefined,
  };
  return { calls, flush };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('WAL flush off the event loop', () => {
  it('flushes at once when nothing is being flushed', async () => {
    const { calls, flush } = controlledFlush();
    const sync = createWalSync('/db-wal', flush);
    const done = sync.durable();
    expect(calls.map((c) => c.file)).toEqual(['/db-wal']);
    calls[0]?.end();
    await expect(done).resolves.toBeUndefined();
  });

  it('makes a caller that arrives during a flush wait for the next one, shared by all of them', async () => {
    const { calls, flush } = controlledFlush();
    const sync = createWalSync('/db-wal', flush);
    const first = sync.durable();
    let laterDone = 0;
    const later = [sync.durable(), sync.durable(), sync.durable()].map((p) =>
      p.then(() => (laterDone += 1)),
    );
    calls[0]?.end();
    await first;
    await settle();
    // The running flush may have started before their commits: it does not count for them.
    expect(laterDone).toBe(0);
    expect(calls).toHaveLength(2);
    calls[1]?.end();
    await Promise.all(later);
    expect(laterDone).toBe(3);
    expect(calls).toHaveLength(2);
  });

  it('fails the callers of a failed flush, and the next callers get a new flush', async () => {
    const { calls, flush } = controlledFlush();
    const sync = createWalSync('/db-wal', flush);
    const failed = sync.durable();
    const queued = sync.durable();
    calls[0]?.end(new Error('EIO'));
    await expect(failed).rejects.toThrow('EIO');
    await settle();
    calls[1]?.end();
    await expect(queued).resolves.toBeUndefined();
    const after = sync.durable();
    expect(calls).toHaveLength(3);
    calls[2]?.end();
    await expect(after).resolves.toBeUndefined();
  });

  it('flushes a real file through one descriptor, and reports a file that is not there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wal-sync-'));
    const file = path.join(dir, 'db.sqlite-wal');
    writeFileSync(file, 'frames');
    const sync = createWalSync(file);
    await Promise.all([sync.durable(), sync.durable(), sync.durable()]);
    sync.close();
    const flusher = keptOpenFlusher();
    await expect(flusher.flush(path.join(dir, 'missing-wal'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    flusher.close();
  });
});
