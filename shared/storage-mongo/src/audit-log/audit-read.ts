import type { AuditEvent } from 'fhir/r4';
import type { SearchPage, SearchQuery } from '@dmp/fhir';
import type {
  AuditRecord,
  ChainPosition,
  Checkpoint,
  ScanOptions,
  VerificationReport,
} from '@dmp/storage';
import { ChainVerifier } from '@dmp/storage';
import type { MongoContext } from '../context';
import { decodeCursor, encodeCursor } from '@dmp/storage';
import { renderSearchFilter } from '../search/render-filter';
import { renderKeyset, renderSort, sortFields, sortValues } from '../search/render-sort';
import { auditLog } from './audit-append';
import { AUDIT_CHECKPOINTS, AUDIT_LAYOUT, toAuditRecord, type CheckpointDoc } from './audit-docs';

const AUDIT_FILTER_LAYOUT = { base: {}, idField: 'id' };

/** ITI-81: the shared rendering over `audit_log` (chains match indexed values only). */
export async function searchAudit(
  ctx: MongoContext,
  query: SearchQuery,
): Promise<SearchPage<AuditEvent>> {
  const fields = sortFields(query.sort, AUDIT_LAYOUT);
  const position = query.cursor ? decodeCursor(query, query.cursor, fields.length) : undefined;
  const filter = renderSearchFilter(
    query,
    { indexer: ctx.indexer, now: ctx.now() },
    new Map(),
    AUDIT_FILTER_LAYOUT,
  );
  const page: SearchPage<AuditEvent> = { resources: [] };
  if (query.total !== 'none' || query.summaryCount)
    page.total = await auditLog(ctx).countDocuments(filter);
  const count = Math.min(query.count, ctx.maxCount);
  if (query.summaryCount || count <= 0) return page;
  const paged = position
    ? { $and: [filter, renderKeyset(fields, position, AUDIT_LAYOUT)] }
    : filter;
  const docs = await auditLog(ctx)
    .find(paged, { sort: renderSort(fields, AUDIT_LAYOUT), limit: count + 1, allowDiskUse: true })
    .toArray();
  const visible = docs.slice(0, count);
  page.resources = visible.map((doc) => JSON.parse(doc.json) as AuditEvent);
  const last = visible[visible.length - 1];
  if (docs.length > count && last) {
    page.nextCursor = encodeCursor(query, { keys: sortValues(fields, last), id: last.sk });
  }
  return page;
}

/** Records in sequence order, page by page (constant memory). */
export async function* scanAudit(
  ctx: MongoContext,
  options: ScanOptions,
): AsyncIterable<AuditRecord> {
  const pageSize = options.pageSize ?? 500;
  let after = options.afterSeq ?? 0;
  for (;;) {
    const recorded: Record<string, string> = {};
    if (options.from !== undefined) recorded.$gte = options.from;
    if (options.to !== undefined) recorded.$lt = options.to;
    const filter =
      Object.keys(recorded).length > 0
        ? { _id: { $gt: after }, recorded }
        : { _id: { $gt: after } };
    const docs = await auditLog(ctx).find(filter).sort({ _id: 1 }).limit(pageSize).toArray();
    for (const doc of docs) yield toAuditRecord(doc);
    const last = docs[docs.length - 1];
    if (!last || docs.length < pageSize) return;
    after = last._id;
  }
}

export async function listCheckpoints(ctx: MongoContext): Promise<Checkpoint[]> {
  const docs = await ctx.db
    .collection<CheckpointDoc>(AUDIT_CHECKPOINTS)
    .find()
    .sort({ _id: 1 })
    .toArray();
  return docs.map((doc) => ({ seq: doc._id, hash: doc.hash, time: doc.time, jws: doc.jws }));
}

/** Recomputes the chain from the anchor, then checks every checkpoint against its record. */
export async function verifyAudit(
  ctx: MongoContext,
  anchor: ChainPosition,
  onProgress?: (verified: number, total: number) => void,
): Promise<VerificationReport> {
  const total = await auditLog(ctx).countDocuments();
  const verifier = new ChainVerifier(anchor);
  let scanned = 0;
  for await (const record of scanAudit(ctx, { afterSeq: anchor.seq, pageSize: 5000 })) {
    const broken = verifier.next(record);
    if (broken)
      return {
        ok: false,
        verified: verifier.verified,
        total,
        firstBroken: broken,
        head: verifier.head,
      };
    scanned += 1;
    if (scanned % 5000 === 0) onProgress?.(verifier.verified, total);
  }
  onProgress?.(verifier.verified, total);
  const head = verifier.head;
  for (const checkpoint of await listCheckpoints(ctx)) {
    if (checkpoint.seq <= anchor.seq) continue;
    const broken = { verified: verifier.verified, total, head, ok: false as const };
    if (checkpoint.seq > head.seq)
      return { ...broken, firstBroken: { seq: head.seq + 1, reason: 'truncated' } };
    const doc = await auditLog(ctx).findOne({ _id: checkpoint.seq }, { projection: { hash: 1 } });
    if (doc?.hash !== checkpoint.hash)
      return { ...broken, firstBroken: { seq: checkpoint.seq, reason: 'checkpoint' } };
  }
  return { ok: true, verified: verifier.verified, total, head };
}
