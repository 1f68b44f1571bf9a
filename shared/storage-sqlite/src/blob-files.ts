import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * A file written under `tmp/`, hashed on the way; not yet in its content-addressed place, nor
 * on disk for sure: its handle stays open until `Durability.settle` fsyncs and closes it (or
 * `BlobFiles.abandon` closes it and removes the file).
 */
export interface StagedFile {
  tmpPath: string;
  sha1: string;
  sha256: string;
  size: number;
  handle: FileHandle;
}

/**
 * What a transaction owes the disk before its rows commit: the bytes of the files it placed and
 * the directories their names went into. Owed rather than done at once, so that a group commit
 * fsyncs all of its members' files and directories in parallel, right before its COMMIT,
 * instead of one after the other while holding the write lock.
 */
export class Durability {
  private readonly files = new Set<FileHandle>();
  private readonly directories = new Set<string>();

  owe(handle: FileHandle, directories: readonly string[]): void {
    this.files.add(handle);
    for (const directory of directories) this.directories.add(directory);
  }

  /** Fsyncs everything owed, in parallel, and closes the files (also when a sync fails). */
  async settle(): Promise<void> {
    const files = [...this.files];
    const directories = [...this.directories];
    this.files.clear();
    this.directories.clear();
    try {
      await Promise.all([...files.map((file) => file.sync()), ...directories.map(syncDirectory)]);
    } finally {
      await closeAll(files);
    }
  }

  /** Closes the files without syncing them (their transaction rolled back). */
  async forgive(): Promise<void> {
    const files = [...this.files];
    this.files.clear();
    this.directories.clear();
    await closeAll(files);
  }
}

async function closeAll(files: readonly FileHandle[]): Promise<void> {
  await Promise.all(files.map((file) => file.close().catch(() => undefined)));
}

/** Content-addressed layout: `<blobDir>/objects/<2 hex>/<sha256 hex>`, temp files in `tmp/`. */
export class BlobFiles {
  constructor(readonly dir: string) {}

  pathOf(sha256: string): string {
    return path.join(this.dir, 'objects', sha256.slice(0, 2), sha256);
  }

  /**
   * Writes the content to a temp file through SHA-1 and SHA-256 (chunk by chunk, never the whole
   * stream in memory), on one file handle left open for the fsync the commit owes. A
   * transaction stages its bytes while it holds the write lock, so each file-system round trip
   * counts: the directories are only created when missing (the first write into them).
   */
  async stage(content: Readable | Buffer): Promise<StagedFile> {
    const tmpDir = path.join(this.dir, 'tmp');
    const tmpPath = path.join(tmpDir, `${randomUUID()}.part`);
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    let size = 0;
    const { result: handle } = await inDirectory(tmpDir, () => open(tmpPath, 'wx'));
    try {
      // A stream may yield strings (`Readable.from(['text'])`): written as UTF-8, as piping does.
      const chunks: AsyncIterable<Buffer | string> | Buffer[] = Buffer.isBuffer(content)
        ? [content]
        : (content as AsyncIterable<Buffer | string>);
      for await (const chunk of chunks) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        sha1.update(bytes);
        sha256.update(bytes);
        size += bytes.length;
        await writeAll(handle, bytes);
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      await this.discard(tmpPath);
      throw error;
    }
    return { tmpPath, sha1: sha1.digest('base64'), sha256: sha256.digest('hex'), size, handle };
  }

  /** Closes a staged file that will not be placed, and removes it. */
  async abandon(staged: StagedFile): Promise<void> {
    await staged.handle.close().catch(() => undefined);
    await this.discard(staged.tmpPath);
  }

  /**
   * Moves a staged file to its final place; false when that content was already there (the
   * staged copy is abandoned). Owes `durability` the file's bytes and its directory (and the
   * directory's parents when it created them): the file's new name is durable only once its
   * directory is fsynced, and the metadata row that points to it must not commit before.
   */
  async promote(staged: StagedFile, durability: Durability): Promise<boolean> {
    const target = this.pathOf(staged.sha256);
    if (await exists(target)) {
      await this.abandon(staged);
      return false;
    }
    const dir = path.dirname(target);
    const { created } = await inDirectory(dir, () => rename(staged.tmpPath, target)).catch(
      async (error: unknown) => {
        await this.abandon(staged);
        throw error;
      },
    );
    const objects = path.dirname(dir);
    durability.owe(staged.handle, created ? [dir, objects, path.dirname(objects)] : [dir]);
    return true;
  }

  async discard(file: string): Promise<void> {
    await unlink(file).catch(() => undefined);
  }
}

/**
 * Runs a file operation in `dir`, creating the directory first if it is missing; tells whether
 * it did.
 */
async function inDirectory<T>(
  dir: string,
  operation: () => Promise<T>,
): Promise<{ result: T; created: boolean }> {
  try {
    return { result: await operation(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    return { result: await operation(), created: true };
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let written = 0; written < chunk.length;) {
    written += (await handle.write(chunk, written)).bytesWritten;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
