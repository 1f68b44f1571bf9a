import type { Bundle, DocumentReference, List, Reference } from 'fhir/r4';
import { buildHistoryBundle } from '@dmp/fhir';
import { buildAuditEvent } from '../domain/audit-event';
import { presentDocument } from '../domain/binary-link';
import { auditInput, authorize, type CallContext, type DocumentsContext } from './context';

export type ReadableType = 'DocumentReference' | 'List';
type Stored = DocumentReference | List;

function present(resource: Stored, baseUrl: string): Stored {
  return resource.resourceType === 'DocumentReference'
    ? presentDocument(resource, baseUrl)
    : resource;
}

async function guardRead(
  ctx: DocumentsContext,
  call: CallContext,
  resource: Stored,
): Promise<void> {
  const patient: Reference | undefined = resource.subject;
  const audit = {
    interaction: 'read' as const,
    patient,
    entities: [
      { what: { reference: `${resource.resourceType}/${resource.id ?? ''}` }, role: '4' as const },
    ],
  };
  await authorize(
    ctx,
    call,
    {
      interaction: 'read',
      resourceType: resource.resourceType,
      patient,
      ...(resource.resourceType === 'DocumentReference' ? { document: resource } : {}),
    },
    audit,
  );
  await ctx.audit.record(buildAuditEvent(auditInput(call, audit)));
}

/** `read` and `vread` (404 unknown, 410 deleted) with the decision and the audit record. */
export async function readResource(
  ctx: DocumentsContext,
  call: CallContext,
  type: ReadableType,
  id: string,
  versionId?: string,
): Promise<Stored> {
  const resource =
    versionId === undefined
      ? await ctx.store.read<Stored>(type, id)
      : await ctx.store.vread<Stored>(type, id, versionId);
  await guardRead(ctx, call, resource);
  return present(resource, call.baseUrl);
}

/** `_history` of one resource, newest version first. */
export async function readHistory(
  ctx: DocumentsContext,
  call: CallContext,
  type: ReadableType,
  id: string,
): Promise<Bundle> {
  const current = await ctx.store.read<Stored>(type, id);
  await guardRead(ctx, call, current);
  const versions = await ctx.store.history<Stored>(type, id);
  return buildHistoryBundle({
    total: versions.length,
    links: { self: `${call.baseUrl}/${type}/${id}/_history` },
    entries: versions.map((version) => {
      const versionId = version.meta?.versionId ?? '1';
      return {
        fullUrl: `${call.baseUrl}/${type}/${id}`,
        resource: present(version, call.baseUrl),
        method: versionId === '1' ? 'POST' : 'PATCH',
        url: versionId === '1' ? type : `${type}/${id}`,
        status: versionId === '1' ? '201 Created' : '200 OK',
        etag: `W/"${versionId}"`,
        lastModified: version.meta?.lastUpdated,
      };
    }),
  });
}
