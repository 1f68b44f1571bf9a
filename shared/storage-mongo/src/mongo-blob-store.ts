import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, ObjectId } from 'mongodb';
import { fhirError } from '@dmp/errors';
import type { BlobInfo, ByteRange } from '@dmp/storage';
import { BLOBS, GRIDFS_BUCKET } from './collections';
import { withSession, type MongoContext } from './context';

/**
 * Blob metadata (`blobs`, `_id` = hex SHA-256, content-addressed) pointing at the GridFS file
 * that holds the bytes. The GridFS upload happens outside the transaction (GridFS streams cannot
 * join one); the metadata insert happens inside it. Until commit the bytes are unreachable (no
 * metadata); on abort the staged file is deleted, so nothing is left behind.
 */
export interface BlobDoc {
  _id: string;
  file: ObjectId;
  sha1: string;
  size: number;
  contentType: string;
  createdAt: string;
}

export interface StagedBlob {
  file: ObjectId;
  sha1: string;
  sha256: string;
  size: number;
}

/** A staged GridFS file and, once uploaded, the SHA-256 its metadata would be keyed by. */
export interface StagedRef {
  file: ObjectId;
  sha256?: string;
}

/** Files uploaded during one transaction attempt: which to delete on abort, which in any case. */
export interface StagedFiles {
  /** Referenced by metadata written in this transaction: deleted only on abort. */
  created: StagedRef[];
  /** Same bytes already stored: never referenced, deleted once the transaction ends. */
  redundant: ObjectId[];
}

export function toBlobDoc(staged: StagedBlob, contentType: string, now: Date): BlobDoc {
  return {
    _id: staged.sha256,
    file: staged.file,
    sha1: staged.sha1,
    size: staged.size,
    contentType,
    createdAt: now.toISOString(),
  };
}

export function toBlobInfo(doc: BlobDoc): BlobInfo {
  return {
    key: doc._id,
    sha1: doc.sha1,
    sha256: doc._id,
    size: doc.size,
    contentType: doc.contentType,
  };
}

export const bucketOf = (ctx: MongoContext): GridFSBucket =>
  new GridFSBucket(ctx.db, { bucketName: GRIDFS_BUCKET });

/**
 * Streams the content into a new GridFS file `file`, hashing (SHA-1, SHA-256) and counting on the
 * way; `signal` stops the upload (its partial chunks are deleted). Never joins a transaction: a
 * MongoDB server transaction starts at its first read or write, so a blob put first is uploaded
 * before the transaction's clock starts.
 */
export async function stageBlob(
  ctx: MongoContext,
  content: Readable | Buffer,
  file: ObjectId = new ObjectId(),
  signal?: AbortSignal,
): Promise<StagedBlob> {
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sha1.update(chunk);
      sha256.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const upload = bucketOf(ctx).openUploadStreamWithId(file, `staged-${file.toHexString()}`);
  const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
  try {
    await pipeline(source, hasher, upload, ...(signal ? [{ signal }] : []));
  } catch (error) {
    await discardFiles(ctx, [file]); // chunks of a partial upload
    throw error;
  }
  return { file, sha1: sha1.digest('base64'), sha256: sha256.digest('hex'), size };
}

/**
 * Records staged bytes in the open transaction; the first stored copy of the bytes wins. The
 * caller lists the staged file in `files.created` as soon as it is uploaded; when the bytes were
 * already stored it moves to `files.redundant`.
 */
export async function recordBlob(
  ctx: MongoContext,
  staged: StagedBlob,
  contentType: string,
  files: StagedFiles,
): Promise<BlobInfo> {
  const collection = ctx.db.collection<BlobDoc>(BLOBS);
  // `_id` comes from the filter on insert; never set it in the update itself.
  const { _id: key, ...fields } = toBlobDoc(staged, contentType, ctx.now());
  await collection.updateOne(
    { _id: key },
    { $setOnInsert: fields },
    { ...withSession(ctx), upsert: true },
  );
  const doc = await collection.findOne({ _id: staged.sha256 }, withSession(ctx));
  if (!doc) throw new Error('blob metadata vanished inside the transaction');
  if (!doc.file.equals(staged.file)) {
    const at = files.created.findIndex((ref) => ref.file.equals(staged.file));
    if (at >= 0) files.created.splice(at, 1);
    files.redundant.push(staged.file);
  }
  return toBlobInfo(doc);
}

/**
 * After a commit whose outcome stayed unknown: the staged files that a read of the committed
 * metadata proves unreferenced (the commit did not land, or other bytes won), to delete now.
 * A file whose check fails is kept: the blob sweeper removes it later if it is an orphan.
 */
export async function provenUnreferenced(
  ctx: MongoContext,
  refs: readonly StagedRef[],
): Promise<ObjectId[]> {
  const out: ObjectId[] = [];
  for (const ref of refs) {
    if (ref.sha256 === undefined) continue;
    const doc = await ctx.db
      .collection<BlobDoc>(BLOBS)
      .findOne({ _id: ref.sha256 }, { projection: { file: 1 } })
      .catch(() => 'unknown' as const);
    if (doc !== 'unknown' && !doc?.file.equals(ref.file)) out.push(ref.file);
  }
  return out;
}

export async function statBlob(ctx: MongoContext, key: string): Promise<BlobInfo | undefined> {
  const doc = await ctx.db.collection<BlobDoc>(BLOBS).findOne({ _id: key }, withSession(ctx));
  return doc ? toBlobInfo(doc) : undefined;
}

/** Inclusive byte range; an end past the size is clamped, an unsatisfiable start a RangeError. */
export async function openBlob(
  ctx: MongoContext,
  key: string,
  range?: ByteRange,
): Promise<Readable> {
  const doc = await ctx.db.collection<BlobDoc>(BLOBS).findOne({ _id: key }, withSession(ctx));
  if (!doc) throw fhirError('DMP-RESOURCE-NOT-FOUND', `Blob ${key} is not known.`);
  if (!range) return bucketOf(ctx).openDownloadStream(doc.file);
  const end = Math.min(range.end, doc.size - 1);
  if (!Number.isInteger(range.start) || range.start < 0 || range.start > end) {
    throw new RangeError(
      `Byte range ${range.start}-${range.end} is not satisfiable (size ${doc.size}).`,
    );
  }
  return bucketOf(ctx).openDownloadStream(doc.file, { start: range.start, end: end + 1 });
}

/** Deletes GridFS files (best effort: an orphan file is harmless, it has no metadata). */
export async function discardFiles(ctx: MongoContext, files: readonly ObjectId[]): Promise<void> {
  const bucket = bucketOf(ctx);
  await Promise.all(files.map((id) => bucket.delete(id).catch(() => undefined)));
}
