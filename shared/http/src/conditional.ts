import type { Resource } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { etagOf, parseETag } from '@dmp/fhir';

/**
 * The versionId an `If-Match` header names (`W/"3"` or `"3"`), or undefined when absent.
 * A malformed value is a 400 naming the header.
 * (`3`, without quotes, is tolerated as many clients send it.)
 */
export function parseIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const versionId = parseETag(header);
  if (versionId === undefined) {
    throw fhirError(
      'DMP-HTTP-INVALID-HEADER',
      'If-Match must be an ETag such as W/"3"',
      'If-Match',
    );
  }
  return versionId;
}

/** True when an `If-None-Match` header matches the version (the client's copy is current). */
export function ifNoneMatchHits(
  header: string | undefined,
  versionId: string | undefined,
): boolean {
  if (header === undefined || versionId === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === etagOf(versionId) || tag === `"${versionId}"`);
}

/** ETag and Last-Modified headers from a stored resource's meta. */
export function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  if (resource.meta?.versionId) headers.ETag = etagOf(resource.meta.versionId);
  if (resource.meta?.lastUpdated) {
    headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
  }
  return headers;
}
