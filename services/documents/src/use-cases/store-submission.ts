import { randomUUID } from 'node:crypto';
import type { Bundle, DocumentReference, List, Resource } from 'fhir/r4';
import { buildTransactionResponse, etagOf, type TransactionEntryResult } from '@dmp/fhir';
import type { BlobInfo } from '@dmp/storage';
import type { SubmissionScope } from '../access/enforcement-point';
import type { AuditEntityInput } from '../domain/audit-event';
import { linkedBinary } from '../domain/binary-link';
import type { ClassifiedEntry } from '../domain/bundle-entries';
import { submitterSource } from '../domain/submitter';
import { LIST_TYPES_SYSTEM, MHD_SD } from '../domain/constants';
import { withEntryUuid } from '../domain/mhd-identifiers';
import { rewriteReferences } from '../domain/references';
import { normalizeSecurityLabels } from '../domain/security-labels';
import type { SubmissionPlan } from '../domain/submission-analysis';
import { throwFaults, type CallContext } from './context';
import { checkUniqueIds, stageDocuments } from './stage-submission';

const RESPONSE_PROFILE = `${MHD_SD}IHE.MHD.ProvideDocumentBundleResponse`;

export function submitterOf(call: CallContext): string {
  return submitterSource(call.actor);
}

function created(resource: Resource, status = '201 Created'): TransactionEntryResult {
  const id = resource.id ?? '';
  const version = resource.meta?.versionId ?? '1';
  return {
    status,
    location: `${resource.resourceType}/${id}/_history/${version}`,
    etag: etagOf(version),
    lastModified: resource.meta?.lastUpdated,
  };
}

function prepareDocument(
  document: DocumentReference,
  plan: SubmissionPlan,
  info: BlobInfo | undefined,
  submitter: string,
): DocumentReference {
  const [content, ...others] = document.content;
  const attachment =
    content && info && content.attachment.contentType !== 'application/fhir+json'
      ? { ...content.attachment, hash: info.sha1, size: info.size }
      : content?.attachment;
  const { id: _id, ...rest } = document;
  return {
    ...rest,
    meta: { ...document.meta, source: submitter },
    ...((document.subject ?? plan.subject) ? { subject: document.subject ?? plan.subject } : {}),
    identifier: withEntryUuid(document.identifier),
    ...(document.securityLabel
      ? { securityLabel: normalizeSecurityLabels(document.securityLabel) }
      : {}),
    content: content && attachment ? [{ ...content, attachment }, ...others] : document.content,
  };
}

async function storeFolder(
  scope: SubmissionScope,
  folder: List,
  method: 'POST' | 'PUT',
): Promise<List> {
  const { id: _id, ...rest } = folder;
  if (method === 'PUT') {
    for (const identifier of folder.identifier ?? []) {
      const existing = await scope.findList(identifier);
      const isFolder = existing?.code?.coding?.some(
        (c) => c.system === LIST_TYPES_SYSTEM && c.code === 'folder',
      );
      if (existing && isFolder) {
        const known = new Set((existing.entry ?? []).map((e) => e.item.reference));
        const added = (folder.entry ?? []).filter((e) => !known.has(e.item.reference));
        return scope.update<List>({
          ...existing,
          date: folder.date ?? existing.date,
          entry: [...(existing.entry ?? []), ...added],
        });
      }
    }
  }
  return scope.create<List>(rest);
}

/**
 * The ids of the new DocumentReferences, chosen before anything is stored so that each Binary is
 * created already pointing at its document (`securityContext`, what ITI-68 decides on): its
 * first version is its only one. By DocumentReference entry, and by the `attachment.url` (the
 * Binary's fullUrl) of the first document naming it.
 */
function plannedDocumentIds(plan: SubmissionPlan): {
  byEntry: Map<number, string>;
  byBinaryUrl: Map<string, string>;
} {
  const byEntry = new Map<number, string>();
  const byBinaryUrl = new Map<string, string>();
  for (const entry of plan.entries) {
    if (entry.kind !== 'document-reference') continue;
    const id = randomUUID();
    byEntry.set(entry.index, id);
    const url = entry.resource.content[0]?.attachment.url;
    if (url !== undefined && !byBinaryUrl.has(url)) byBinaryUrl.set(url, id);
  }
  return { byEntry, byBinaryUrl };
}

/**
 * Writes the checked submission in the enforcement point's scope (one transaction); any fault
 * throws and the store rolls back. Returns the transaction-response and what its AuditEvent names.
 */
export async function storeSubmission(
  call: CallContext,
  plan: SubmissionPlan,
  bytes: ReadonlyMap<number, Buffer>,
  scope: SubmissionScope,
): Promise<{ result: Bundle; entities: AuditEntityInput[] }> {
  // Bytes first: on MongoDB they upload before the transaction's first read (its clock).
  const staged = await stageDocuments(scope, plan, bytes);
  throwFaults(await checkUniqueIds(scope, plan));
  throwFaults(staged.faults);

  const ids = new Map<string, string>();
  const documentIds = plannedDocumentIds(plan);
  const results = new Map<number, TransactionEntryResult>();
  const remember = (entry: ClassifiedEntry, stored: Resource) => {
    if (entry.fullUrl) ids.set(entry.fullUrl, `${stored.resourceType}/${stored.id ?? ''}`);
    results.set(
      entry.index,
      created(stored, entry.kind === 'folder' && entry.method === 'PUT' ? '200 OK' : '201 Created'),
    );
  };
  const rewrite = <T>(resource: T): T => rewriteReferences(resource, ids);
  const submitter = submitterOf(call);
  const order: ClassifiedEntry['kind'][] = [
    'patient',
    'binary',
    'fhir-document',
    'document-reference',
    'folder',
    'submission-set',
  ];
  for (const kind of order) {
    for (const entry of plan.entries.filter((e) => e.kind === kind)) {
      switch (entry.kind) {
        case 'patient': {
          if (entry.method === 'GET') {
            results.set(entry.index, { status: '200 OK' });
            break;
          }
          const { id: _id, ...patient } = entry.resource;
          remember(entry, await scope.create(patient));
          break;
        }
        case 'binary':
        case 'fhir-document': {
          const info = entry.fullUrl ? staged.blobs.get(entry.fullUrl) : undefined;
          if (!info) break;
          const documentId = entry.fullUrl ? documentIds.byBinaryUrl.get(entry.fullUrl) : undefined;
          const link = documentId ? `DocumentReference/${documentId}` : undefined;
          remember(entry, await scope.create(linkedBinary(info.contentType, info.key, link)));
          break;
        }
        case 'document-reference': {
          const url = entry.resource.content[0]?.attachment.url;
          const document = rewrite(
            prepareDocument(
              entry.resource,
              plan,
              url ? staged.blobs.get(url) : undefined,
              submitter,
            ),
          );
          const [content, ...others] = document.content;
          const stored = url ? ids.get(url) : undefined;
          if (content && stored)
            document.content = [
              { ...content, attachment: { ...content.attachment, url: stored } },
              ...others,
            ];
          remember(
            entry,
            await scope.create(document, { id: documentIds.byEntry.get(entry.index) }),
          );
          break;
        }
        case 'folder':
          remember(entry, await storeFolder(scope, rewrite(entry.resource), entry.method));
          break;
        case 'submission-set': {
          const { id: _id, ...list } = entry.resource;
          remember(
            entry,
            await scope.create<List>(
              rewrite({ ...list, identifier: withEntryUuid(list.identifier) }),
            ),
          );
          break;
        }
        case 'patch':
          break;
      }
    }
  }
  for (const entry of plan.entries) {
    if (entry.kind !== 'patch') continue;
    results.set(entry.index, created(await scope.supersede(entry.targetId), '200 OK'));
  }

  for (const replacement of plan.replacements.filter((r) => !r.patched)) {
    await scope.supersede(replacement.targetId);
  }
  const submissionSetRef =
    ids.get(plan.submissionSet.fullUrl ?? '') ?? `List/${plan.submissionSet.index}`;
  const response = buildTransactionResponse(
    plan.entries
      .sort((a, b) => a.index - b.index)
      .map((entry) => results.get(entry.index) ?? { status: '200 OK' }),
  );
  return {
    result: { ...response, meta: { profile: [RESPONSE_PROFILE] } },
    entities: [{ what: { reference: submissionSetRef }, role: '20' }],
  };
}
