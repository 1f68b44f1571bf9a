import type { Binary, DocumentReference } from 'fhir/r4';
import { BLOB_KEY_URL } from './constants';

/** The stored Binary: no inline data, a `meta` extension naming its bytes in the blob store. */
export function linkedBinary(
  contentType: string,
  blobKey: string,
  securityContext?: string,
): Binary {
  return {
    resourceType: 'Binary',
    meta: { extension: [{ url: BLOB_KEY_URL, valueString: blobKey }] },
    contentType,
    ...(securityContext ? { securityContext: { reference: securityContext } } : {}),
  };
}

/** The blob key of a stored Binary, if it has one. */
export function blobKeyOf(binary: Binary): string | undefined {
  return binary.meta?.extension?.find((extension) => extension.url === BLOB_KEY_URL)?.valueString;
}

/** A Binary as clients see it: without our storage extension. */
export function publicBinary(binary: Binary, data?: string): Binary {
  const extension = (binary.meta?.extension ?? []).filter((e) => e.url !== BLOB_KEY_URL);
  const meta = { ...binary.meta, extension: extension.length > 0 ? extension : undefined };
  if (meta.extension === undefined) delete meta.extension;
  return { ...binary, meta, ...(data !== undefined ? { data } : {}) };
}

/**
 * A DocumentReference as clients see it: `attachment.url` stored as `Binary/<id>` becomes the
 * absolute ITI-68 URL (opaque: only the Binary's server-assigned id, never the INS).
 */
export function presentDocument(document: DocumentReference, baseUrl: string): DocumentReference {
  return {
    ...document,
    content: document.content.map((content) => {
      const url = content.attachment.url;
      if (url === undefined || !url.startsWith('Binary/')) return content;
      return { ...content, attachment: { ...content.attachment, url: `${baseUrl}/${url}` } };
    }),
  };
}
