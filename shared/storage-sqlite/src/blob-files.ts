import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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

  /** Streams the content to a temp file through SHA-1 and SHA-256, then fsyncs it. */
  async stage(content: Readable | Buffer): Promise<StagedFile> {
    const tmpDir = path.join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = path.join(tmpDir, `${randomUUID()}.part`);
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sha1.update(chunk);
        sha256.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
    try {
      await pipeline(source, hasher, createWriteStream(tmpPath));
      const handle = await open(tmpPath, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await this.discard(tmpPath);
      throw error;
    }
    return { tmpPath, sha1: sha1.digest('base64'), sha256: sha256.digest('hex'), size };
  }

  /** Moves a staged file to its final place; false when that content was already there. */
  async promote(staged: StagedFile): Promise<boolean> {
    const target = this.pathOf(staged.sha256);
    if (await exists(target)) {
      await this.discard(staged.tmpPath);
      return false;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staged.tmpPath, target);
    return true;
  }

  async discard(file: string): Promise<void> {
    await unlink(file).catch(() => undefined);
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
