import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { coalescedRun } from '@dmp/storage';
import { guardAsync } from './driver-errors';

/**
 * Makes commits durable by flushing the WAL file off the event loop.
 *
 * With `synchronous=FULL`, SQLite fsyncs the WAL inside COMMIT: the event loop stops for the
 * disk (about a millisecond per commit on the benchmark machine) and nothing else runs in the
 * service meanwhile. The writer connection instead commits with `synchronous=NORMAL` (frames
 * written to the WAL, no fsync; SQLite still syncs at checkpoints, so the file is never
 * corrupt) and every writer awaits {@link WalSync.durable} before it answers: an `fdatasync` of
 * the WAL on libuv's thread pool. The WAL is written in commit order, so one flush covers every
 * commit made before it started; callers that arrive while a flush runs share the next one.
 *
 * What others see: a commit is visible to the reader connection before its flush ends (with
 * FULL it is not). In documents, every answer that shows data waits for its own audit record's
 * commit and flush, later in the same WAL, so no answer shows a document that a power failure
 * could still take back. Consent answers a routine permit without a record of its own: for the
 * time of one flush it may decide on a patient's change whose own answer is still waiting for
 * that flush; a power failure then leaves the change undone and unanswered, as with FULL.
 */
export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  durable(): Promise<void>;
  /** Releases the WAL file (after the last `durable()` has settled). */
  close(): void;
}

/** Flushes one file to disk (an `fdatasync`); injectable so the coalescing can be tested. */
export interface FileFlusher {
  flush(file: string): Promise<void>;
  close(): void;
}

/**
 * `fdatasync` through a descriptor opened at the first flush and kept: SQLite keeps the same WAL
 * file (same inode, truncated or rewritten from its start) while a connection is open, and an
 * open, sync and close each time cost three trips to the thread pool instead of one.
 */
export function keptOpenFlusher(): FileFlusher {
  let fd: number | undefined;
  const descriptor = (file: string) =>
    fd === undefined
      ? new Promise<number>((resolve, reject) =>
          fs.open(file, 'r', (error, opened) => {
            if (error) return reject(error);
            fd ??= opened;
            if (fd !== opened) fs.close(opened, () => undefined);
            resolve(fd);
          }),
        )
      : Promise.resolve(fd);
  return {
    async flush(file) {
      const open = await descriptor(file);
      await new Promise<void>((resolve, reject) =>
        fs.fdatasync(open, (error) => (error ? reject(error) : resolve())),
      );
    },
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}

export function createWalSync(walFile: string, flusher: FileFlusher = keptOpenFlusher()): WalSync {
  return { durable: coalescedRun(() => flusher.flush(walFile)), close: () => flusher.close() };
}

/** How a store's writer makes its commits durable, whatever its settings. */
export interface DurableCommits {
  /** Resolves with `result` once everything committed before the call is on disk. */
  durable: <R>(result: R) => Promise<R>;
  /** Waits for the flushes still running (their callers waiting), then releases the WAL. */
  close: () => Promise<void>;
}

/** Commits that need no flush: `:memory:`, `NORMAL`, or a read-only handle. */
export const NOTHING_TO_FLUSH: DurableCommits = {
  durable: (result) => Promise.resolve(result),
  close: () => Promise.resolve(),
};

/**
 * Sets a writer connection up for durable commits, once its schema is in place: a file database
 * asked for `FULL` commits with `synchronous=NORMAL` and flushes its WAL off the event loop; a
 * `:memory:` one, or one asked for `NORMAL`, waits for nothing.
 */
export function durableCommits(
  db: Database,
  file: string,
  options: { memory: boolean; synchronous?: 'FULL' | 'NORMAL'; flusher?: FileFlusher },
): DurableCommits {
  if (options.memory || (options.synchronous ?? 'FULL') !== 'FULL') {
    return NOTHING_TO_FLUSH;
  }
  const sync = createWalSync(`${path.resolve(file)}-wal`, options.flusher);
  db.pragma('synchronous = NORMAL');
  const durable = async <R>(result: R): Promise<R> => {
    await guardAsync(() => sync.durable());
    return result;
  };
  return {
    durable,
    close: async () => {
      await durable(undefined);
      sync.close();
    },
  };
}
