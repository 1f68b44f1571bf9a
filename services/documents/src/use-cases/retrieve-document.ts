import type { Readable } from 'node:stream';
import type { Binary } from 'fhir/r4';
import { fhirError, FhirError } from '@dmp/errors';
import { publicBinary } from '../domain/binary-link';
import { chooseRepresentation, decideRange } from '../domain/byte-range';
import type { CallContext, DocumentsContext } from './context';

export interface RetrieveInput {
  id: string;
  accept?: string;
  range?: string;
  ifNoneMatch?: string;
}

export type RetrieveResult =
  | { kind: 'not-modified'; headers: Record<string, string> }
  | {
      kind: 'bytes';
      status: 200 | 206;
      stream: Readable;
      contentType: string;
      headers: Record<string, string>;
    }
  | { kind: 'resource'; binary: Binary; headers: Record<string, string> };

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === '*' || value === etag;
  });
}

/**
 * ITI-68 Retrieve Document: decided on the document by the enforcement point, then the stored
 * bytes streamed (never buffered) with their media type, length, an ETag from the SHA-1,
 * Last-Modified and byte ranges; or the FHIR Binary resource when FHIR JSON is negotiated. A
 * logically deleted document answers 410 (to whoever may see it; 404 to anyone else).
 */
export async function retrieveDocument(
  ctx: DocumentsContext,
  call: CallContext,
  input: RetrieveInput,
): Promise<RetrieveResult> {
  const grant = await ctx.access.retrieve(call, input.id);
  const { binary, info } = grant;
  const etag = `"${info.sha1}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    'Accept-Ranges': 'bytes',
    ...(binary.meta?.lastUpdated
      ? { 'Last-Modified': new Date(binary.meta.lastUpdated).toUTCString() }
      : {}),
    Vary: 'Accept',
  };
  const representation = chooseRepresentation(input.accept, binary.contentType);
  if (representation === 'none') {
    throw fhirError(
      'DMP-HTTP-NOT-ACCEPTABLE',
      `The document is only available as ${binary.contentType} or a FHIR Binary`,
    );
  }
  if (etagMatches(input.ifNoneMatch, etag)) {
    await grant.confirm();
    return { kind: 'not-modified', headers };
  }
  if (representation === 'fhir-binary') {
    const bytes = await grant.readAll();
    return { kind: 'resource', binary: publicBinary(binary, bytes.toString('base64')), headers };
  }
  const range = decideRange(input.range, info.size);
  if (range.kind === 'unsatisfiable') {
    throw new FhirError(
      {
        code: 'DMP-MHD-RANGE-NOT-SATISFIABLE',
        message: `The document has ${String(info.size)} bytes`,
        expression: 'Range',
      },
      { headers: { 'Content-Range': `bytes */${String(info.size)}` } },
    );
  }
  if (range.kind === 'partial') {
    const { start, end } = range.range;
    return {
      kind: 'bytes',
      status: 206,
      stream: await grant.open({ start, end }),
      contentType: binary.contentType,
      headers: {
        ...headers,
        'Content-Length': String(end - start + 1),
        'Content-Range': `bytes ${String(start)}-${String(end)}/${String(info.size)}`,
      },
    };
  }
  return {
    kind: 'bytes',
    status: 200,
    stream: await grant.open(),
    contentType: binary.contentType,
    headers: { ...headers, 'Content-Length': String(info.size) },
  };
}
