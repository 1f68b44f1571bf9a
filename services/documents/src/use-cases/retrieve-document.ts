import type { Readable } from 'node:stream';
import type { Binary, DocumentReference } from 'fhir/r4';
import { fhirError, FhirError, isFhirError } from '@dmp/errors';
import { buildAuditEvent } from '../domain/audit-event';
import { blobKeyOf, publicBinary } from '../domain/binary-link';
import { chooseRepresentation, decideRange } from '../domain/byte-range';
import { auditInput, authorize, type CallContext, type DocumentsContext } from './context';

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

async function documentOf(
  ctx: DocumentsContext,
  binary: Binary,
): Promise<DocumentReference | undefined> {
  const reference = binary.securityContext?.reference;
  const id = reference?.startsWith('DocumentReference/')
    ? reference.slice('DocumentReference/'.length)
    : undefined;
  if (id === undefined) return undefined;
  try {
    return await ctx.store.read<DocumentReference>('DocumentReference', id);
  } catch (error) {
    if (isFhirError(error) && error.status === 410) return undefined;
    throw error;
  }
}

/**
 * ITI-68 Retrieve Document: the stored bytes, streamed (never buffered), with their media type,
 * length, an ETag from the SHA-1, Last-Modified and byte ranges; or the FHIR Binary resource
 * when FHIR JSON is negotiated. A logically deleted document answers 410.
 */
export async function retrieveDocument(
  ctx: DocumentsContext,
  call: CallContext,
  input: RetrieveInput,
): Promise<RetrieveResult> {
  const binary = await ctx.store.read<Binary>('Binary', input.id);
  const document = await documentOf(ctx, binary);
  if (document?.status === 'entered-in-error') {
    throw fhirError('DMP-RESOURCE-GONE', 'The document has been deleted');
  }
  const audit = {
    interaction: 'ITI-68' as const,
    patient: document?.subject,
    entities: [
      {
        what: { reference: `Binary/${input.id}` },
        role: '3' as const,
        securityLabel: document?.securityLabel?.flatMap((l) => l.coding ?? []),
      },
    ],
  };
  await authorize(
    ctx,
    call,
    {
      interaction: 'retrieve',
      resourceType: 'Binary',
      transaction: 'ITI-68',
      patient: document?.subject,
      document,
    },
    audit,
  );
  const key = blobKeyOf(binary);
  const info = key ? await ctx.store.blobs.stat(key) : undefined;
  if (!key || !info)
    throw fhirError('DMP-RESOURCE-GONE', 'The document bytes are no longer available');
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
  if (etagMatches(input.ifNoneMatch, etag)) return { kind: 'not-modified', headers };
  await ctx.audit.record(buildAuditEvent(auditInput(call, audit)));
  if (representation === 'fhir-binary') {
    const chunks: Buffer[] = [];
    for await (const chunk of await ctx.store.blobs.get(key)) chunks.push(chunk as Buffer);
    return {
      kind: 'resource',
      binary: publicBinary(binary, Buffer.concat(chunks).toString('base64')),
      headers,
    };
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
      stream: await ctx.store.blobs.get(key, { start, end }),
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
    stream: await ctx.store.blobs.get(key),
    contentType: binary.contentType,
    headers: { ...headers, 'Content-Length': String(info.size) },
  };
}
