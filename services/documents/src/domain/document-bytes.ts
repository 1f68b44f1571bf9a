import type { LiftRule } from '@dmp/http';
import { decodeStrictBase64, liftedBytesOf } from '@dmp/http';
import { fhirError } from '@dmp/errors';

/** Characters FHIR allows between the quads of a base64Binary. */
const WHITESPACE = /[ \t\r\n]+/g;

/**
 * A FHIR base64Binary decoded strictly: RFC 4648 alphabet, whitespace ignored, padded to a
 * multiple of 4 with `=` only at the end. Node's own decoder skips whatever else it meets, which
 * would store a document other than the one sent; here that is a 400 naming the element.
 */
export function decodeBase64Binary(text: string, expression: string): Buffer {
  const bytes = decodeStrictBase64(text.replace(WHITESPACE, ''));
  if (bytes === undefined) {
    throw fhirError(
      'DMP-RESOURCE-INVALID',
      'Not valid base64: letters, digits, + and / padded with = to a multiple of 4 characters',
      expression,
    );
  }
  return bytes;
}

/** The document a `data` member carries: bytes the body reader lifted, or its text decoded. */
export function documentBytes(holder: { data?: string }, expression: string): Buffer {
  return liftedBytesOf(holder) ?? decodeBase64Binary(holder.data ?? '', expression);
}

/** ITI-65: the `data` of a Binary entry of the Bundle stays lifted (`entry[n].resource`). */
export const liftBinaryEntries: LiftRule = (holder, path, root) =>
  path.length === 3 &&
  path[0] === 'entry' &&
  path[2] === 'resource' &&
  holder.resourceType === 'Binary' &&
  (root as { resourceType?: unknown }).resourceType === 'Bundle';

/** ITI-105: the `data` of the DocumentReference's attachments (`content[n].attachment`). */
export const liftAttachments: LiftRule = (_holder, path, root) =>
  path.length === 3 &&
  path[0] === 'content' &&
  path[2] === 'attachment' &&
  (root as { resourceType?: unknown }).resourceType === 'DocumentReference';
