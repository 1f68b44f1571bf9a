import type { Bundle, DocumentReference, List } from 'fhir/r4';
import { buildHistoryBundle } from '@dmp/fhir';
import type { ReadableType } from '../access/enforcement-point';
import { presentDocument } from '../domain/binary-link';
import type { CallContext, DocumentsContext } from './context';

export type { ReadableType } from '../access/enforcement-point';
type Stored = DocumentReference | List;

function present(resource: Stored, baseUrl: string): Stored {
  return resource.resourceType === 'DocumentReference'
    ? presentDocument(resource, baseUrl)
    : resource;
}

/** `read` and `vread`: decided on the current version; 404 unknown or not visible. */
export async function readResource(
  ctx: DocumentsContext,
  call: CallContext,
  type: ReadableType,
  id: string,
  versionId?: string,
): Promise<Stored> {
  const resource =
    versionId === undefined
      ? await ctx.access.read<Stored>(call, type, id)
      : await ctx.access.vread<Stored>(call, type, id, versionId);
  return present(resource, call.baseUrl);
}

/** `_history` of one resource, newest version first, decided on the current version. */
export async function readHistory(
  ctx: DocumentsContext,
  call: CallContext,
  type: ReadableType,
  id: string,
): Promise<Bundle> {
  const versions = await ctx.access.history<Stored>(call, type, id);
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
