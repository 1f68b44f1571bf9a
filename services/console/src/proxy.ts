import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Request, Response } from 'express';
import { fhirError } from '@dmp/errors';

/** The services the console talks to for the signed-in user, by the name used in its paths. */
export type UpstreamName = 'documents' | 'consent' | 'audit';
export const UPSTREAMS: readonly UpstreamName[] = ['documents', 'consent', 'audit'];

/** Request headers passed on to a service (never cookies, never the browser's Authorization). */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'if-match', 'if-none-match', 'prefer'];
/** Response headers passed back to the browser. */
const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'etag',
  'last-modified',
  'x-request-id',
  'www-authenticate',
  'allow',
];
const JSON_TYPES = /^application\/(fhir\+)?json\b/i;
/** Characters a FHIR path under `/fhir` may hold (types, ids, `$operations`, `_history`, `_search`). */
const FHIR_PATH = /^[A-Za-z0-9$_\-.]+(\/[A-Za-z0-9$_\-.]+)*$/;

/**
 * The service URL for a console path `/api/fhir/<service>/<path>?<query>`: only under the
 * service's `/fhir` base (no `..`, no other root), or undefined.
 */
export function upstreamUrlOf(root: string, fhirPath: string, query: string): URL | undefined {
  if (fhirPath !== '' && (!FHIR_PATH.test(fhirPath) || fhirPath.split('/').includes('..'))) {
    return undefined;
  }
  const base = new URL(root);
  const url = new URL(`${base.origin}/fhir${fhirPath ? `/${fhirPath}` : ''}${query}`);
  if (
    url.origin !== base.origin ||
    !(url.pathname === '/fhir' || url.pathname.startsWith('/fhir/'))
  ) {
    return undefined;
  }
  return url;
}

/**
 * `Location` as the browser may follow it: a URL under the service's `/fhir` base becomes the
 * same path under the console's (`consoleBase`, e.g. `/api/fhir/documents`), so the service's
 * internal address never reaches the browser; a relative one is kept; any other is dropped.
 */
export function consoleLocation(
  location: string,
  upstream: URL,
  consoleBase: string,
): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('/')) return location;
  let url: URL;
  try {
    url = new URL(location, upstream);
  } catch {
    return undefined;
  }
  if (url.origin !== upstream.origin) return undefined;
  if (url.pathname !== '/fhir' && !url.pathname.startsWith('/fhir/')) return undefined;
  return `${consoleBase}${url.pathname.slice('/fhir'.length)}${url.search}`;
}

export interface ProxyCall {
  upstream: URL;
  /** The console's path of the service's FHIR base (`/api/fhir/<service>`). */
  consoleBase: string;
  accessToken: string;
  requestId: string;
  timeoutMs: number;
}

/**
 * Calls the service as the signed-in user (Bearer token added here) and streams its answer back:
 * FHIR JSON as is, documents (ITI-68 bytes, NDJSON) as attachments that the console's origin
 * never renders. A service that does not answer in time is a 502 OperationOutcome.
 */
export async function proxyToService(req: Request, res: Response, call: ProxyCall): Promise<void> {
  const headers = new Headers({
    authorization: `Bearer ${call.accessToken}`,
    'x-request-id': call.requestId,
  });
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  if (!headers.has('accept')) headers.set('accept', 'application/fhir+json');
  const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), call.timeoutMs);
  let answer: globalThis.Response;
  try {
    answer = await fetch(call.upstream, {
      method: req.method,
      headers,
      ...(body && req.method !== 'GET' ? { body } : {}),
      signal: abort.signal,
      redirect: 'manual',
    });
  } catch {
    // The service's internal address stays out of what the browser reads.
    throw fhirError('DMP-CONSOLE-UPSTREAM-UNAVAILABLE', `${call.consoleBase} did not answer`);
  } finally {
    clearTimeout(timer);
  }
  res.status(answer.status);
  // Patient data never stays in the browser's cache (shared workstations; a list read again
  // after a change must be the new one).
  res.setHeader('Cache-Control', 'no-store');
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) res.setHeader(name, value);
  }
  const location = answer.headers.get('location');
  const shown =
    location === null ? undefined : consoleLocation(location, call.upstream, call.consoleBase);
  if (shown !== undefined) res.setHeader('Location', shown);
  const type = answer.headers.get('content-type') ?? '';
  if (!JSON_TYPES.test(type)) {
    // A document is downloaded, never rendered in the console's origin (a CDA could carry script).
    res.setHeader('Content-Disposition', 'attachment');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  }
  if (!answer.body) {
    res.end();
    return;
  }
  const stream = Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>);
  stream.on('error', () => res.destroy());
  // The browser left before the end: the service's answer is cancelled too. (The request's own
  // 'close' comes once its body is read, long before, so it cannot tell.)
  res.on('close', () => {
    if (!res.writableFinished) stream.destroy();
  });
  stream.pipe(res);
}
