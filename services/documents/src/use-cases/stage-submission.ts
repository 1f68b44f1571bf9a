import type { BlobInfo } from '@dmp/storage';
import type { Fault } from '@dmp/errors';
import type { SubmissionScope } from '../access/enforcement-point';
import { entryPath } from '../domain/bundle-entries';
import { checkAttachmentHash } from '../domain/hash';
import type { SubmissionPlan } from '../domain/submission-analysis';
import { xdsFault } from '../domain/xds-fault';

/** masterIdentifier uniqueness (XDS uniqueId: unique in the whole repository). */
export async function checkUniqueIds(
  scope: SubmissionScope,
  plan: SubmissionPlan,
): Promise<Fault[]> {
  const faults: Fault[] = [];
  const seen = new Set<string>();
  for (const entry of plan.entries) {
    if (entry.kind !== 'document-reference') continue;
    const master = entry.resource.masterIdentifier;
    if (master?.value === undefined) continue;
    const key = `${master.system ?? ''}|${master.value}`;
    if (seen.has(key) || !(await scope.claimUniqueId(master))) {
      faults.push(
        xdsFault(
          'DMP-MHD-DUPLICATE-UNIQUE-ID',
          'XDSDuplicateUniqueIdInRegistry',
          'A document with this masterIdentifier already exists',
          `${entryPath(entry.index)}.resource.masterIdentifier`,
        ),
      );
    }
    seen.add(key);
  }
  return faults;
}

/** Stages the documents' bytes and checks each DocumentReference's hash and size against them. */
export async function stageDocuments(
  scope: SubmissionScope,
  plan: SubmissionPlan,
  bytes: ReadonlyMap<number, Buffer>,
): Promise<{ blobs: Map<string, BlobInfo>; faults: Fault[] }> {
  const blobs = new Map<string, BlobInfo>();
  for (const entry of plan.entries) {
    const content = bytes.get(entry.index);
    if (content === undefined || entry.fullUrl === undefined) continue;
    const contentType =
      entry.kind === 'binary' ? entry.resource.contentType : 'application/fhir+json';
    blobs.set(entry.fullUrl, await scope.blobs.put(content, contentType));
  }
  const faults: Fault[] = [];
  for (const entry of plan.entries) {
    if (entry.kind !== 'document-reference') continue;
    const attachment = entry.resource.content[0]?.attachment;
    const info = attachment?.url ? blobs.get(attachment.url) : undefined;
    if (!attachment || !info) continue;
    const path = `${entryPath(entry.index)}.resource.content[0].attachment`;
    if (attachment.hash !== undefined && !checkAttachmentHash(attachment.hash, info.sha1).matches) {
      faults.push(
        xdsFault(
          'DMP-MHD-HASH-MISMATCH',
          'XDSNonIdenticalHash',
          'attachment.hash is not the SHA-1 of the Binary bytes',
          `${path}.hash`,
        ),
      );
    }
    if (attachment.size !== undefined && attachment.size !== info.size) {
      faults.push(
        xdsFault(
          'DMP-MHD-SIZE-MISMATCH',
          'XDSNonIdenticalSize',
          `attachment.size is not the Binary length (${String(info.size)})`,
          `${path}.size`,
        ),
      );
    }
  }
  return { blobs, faults };
}
