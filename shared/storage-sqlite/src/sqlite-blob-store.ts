import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fhirError } from '@dmp/errors';
import type { BlobInfo, BlobStore, BlobWriter, ByteRange } from '@dmp/storage';
import type { BlobFiles, Durability, StagedFile } from './blob-files';
import type { Connection } from './connection';
import { guardAsync } from './driver-errors';

interface BlobRow {
  key: string;
  sha1: string;
  sha256: string;
  size: number;
  content_type: string;
}

const SELECT_BLOB = 'SELECT key, sha1, sha256, size, content_type FROM blobs WHERE key = ?';

export interface BlobStoreDeps {
  files: BlobFiles;
  /** Runs a read with the store's isolation rules (snapshot, or joined to the open transaction). */
  read: <R>(fn: (conn: Connection) => R) => Promise<R>;
  /** Runs a write (stage already done) as its own transaction, serialized with the others. */
  write: (staged: StagedFile, contentType: string) => Promise<BlobInfo>;
}

export function createSqliteBlobStore(deps: BlobStoreDeps): BlobStore {
  const stat = (key: string): Promise<BlobInfo | undefined> =>
    deps.read((conn) => {
      const row = conn.statement(SELECT_BLOB).get(key) as BlobRow | undefined;
      return row ? toInfo(row) : undefined;
    });
  return {
    put: (content, contentType) =>
      guardAsync(async () => deps.write(await deps.files.stage(content), contentType)),
    stat,
    get: (key, range) =>
      guardAsync(async () => {
        const info = await stat(key);
        if (!info) throw fhirError('DMP-RESOURCE-NOT-FOUND', `Blob ${key} is not known.`);
        return openRange(deps.files.pathOf(info.sha256), info.size, range);
      }),
  };
}

/** What a transaction keeps of the blob files it placed: to remove them, or to fsync them. */
export interface PlacedBlobs {
  /** The files it created, removed if it rolls back. */
  created: string[];
  /** The fsyncs it owes before its COMMIT. */
  durability: Durability;
}

/**
 * Records a staged file in the open transaction on `conn`: moves it into place (owing its
 * fsyncs to `placed.durability`, settled before the COMMIT) and inserts its metadata row. The
 * same bytes stored twice share one file and one row (first content type wins).
 */
export async function placeBlob(
  files: BlobFiles,
  conn: Connection,
  staged: StagedFile,
  contentType: string,
  now: Date,
  placed: PlacedBlobs,
): Promise<BlobInfo> {
  if (await files.promote(staged, placed.durability)) {
    placed.created.push(files.pathOf(staged.sha256));
  }
  conn
    .statement(
      'INSERT OR IGNORE INTO blobs (key, sha1, sha256, size, content_type, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(staged.sha256, staged.sha1, staged.sha256, staged.size, contentType, now.toISOString());
  return toInfo(conn.statement(SELECT_BLOB).get(staged.sha256) as BlobRow);
}

/** A transaction's blob writer: stages, then records inside the open transaction. */
export function createTransactionBlobWriter(
  files: BlobFiles,
  conn: () => Connection,
  placed: PlacedBlobs,
  now: () => Date,
): BlobWriter {
  return {
    put: (content, contentType) =>
      guardAsync(async () => {
        const connection = conn();
        const staged = await files.stage(content);
        return placeBlob(files, connection, staged, contentType, now(), placed);
      }),
  };
}

/** Largest read of a blob file: a document up to this size is read in one system call. */
const READ_CHUNK = 1024 * 1024;

/**
 * Inclusive byte range; `end` past the last byte is clamped, an empty or inverted range refused.
 * The stream knows where to stop (no read past the end to find EOF) and reads up to 1 MiB at a
 * time straight into the buffers written to the socket: a 100 KiB document is open, one read,
 * close, with no copy in between.
 */
function openRange(file: string, size: number, range: ByteRange | undefined): Promise<Readable> {
  const start = range?.start ?? 0;
  const end = Math.min(range?.end ?? size - 1, size - 1);
  if (range && (!Number.isInteger(range.start) || range.start < 0 || range.start > end)) {
    throw new RangeError(
      `Byte range ${range.start}-${range.end} is not satisfiable (size ${size}).`,
    );
  }
  if (end < start) return Promise.resolve(Readable.from([]));
  const highWaterMark = Math.min(READ_CHUNK, end - start + 1);
  return Promise.resolve(createReadStream(file, { start, end, highWaterMark }));
}

function toInfo(row: BlobRow): BlobInfo {
  return {
    key: row.key,
    sha1: row.sha1,
    sha256: row.sha256,
    size: row.size,
    contentType: row.content_type,
  };
}
