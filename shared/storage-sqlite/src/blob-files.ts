import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** A file written under `tmp/`, hashed on the way; not yet in its content-addressed place. */
export interface StagedFile {
  tmpPath: string;
  sha1: string;
  sha256: string;
  size: number;
}

/** Content-addressed layout: `<blobDir>/objects/<2 hex>/<sha256 hex>`, temp files in `tmp/`. */
export class BlobFiles {
  constructor(readonly dir: string) {}

  pathOf(sha256: string): string {
    return path.join(this.dir, 'objects', sha256.slice(0, 2), sha256);
  }

  /**
   * Writes the content to a temp file through SHA-1 and SHA-256 (chunk by chunk, never the whole
   * stream in memory), then fsyncs it, all on one file handle. A transaction stages its bytes
   * while it holds the write lock, so each file-system round trip counts: the directories are
   * only created when missing (the first write into them).
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
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await this.discard(tmpPath);
      throw error;
    }
    await handle.close();
    return { tmpPath, sha1: sha1.digest('base64'), sha256: sha256.digest('hex'), size };
  }

  /**
   * Moves a staged file to its final place; false when that content was already there. The
   * directory is fsynced after the rename (and its parents after creating it): the file's bytes
   * were fsynced when staged, but its new name is durable only then, and the metadata row that
   * points to it commits next, so a power cut must not leave a row without its file.
   */
  async promote(staged: StagedFile): Promise<boolean> {
    const target = this.pathOf(staged.sha256);
    if (await exists(target)) {
      await this.discard(staged.tmpPath);
      return false;
    }
    const dir = path.dirname(target);
    const { created } = await inDirectory(dir, () => rename(staged.tmpPath, target));
    if (created) {
      await syncDirectory(path.dirname(path.dirname(dir)));
      await syncDirectory(path.dirname(dir));
    }
    await syncDirectory(dir);
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
