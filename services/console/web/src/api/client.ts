import { failureOf, networkFailure, type Failure } from '../logic/operation-outcome';
import type { SessionInfo } from './session';

/** A failed call: what the service said (OperationOutcome text), for the error box. */
export class ApiError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.text);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

/** Remembers the session's CSRF token, sent with every state-changing call. */
export function rememberSession(session: SessionInfo | undefined): void {
  csrfToken = session?.csrfToken;
}

/** Called when a call answers 401 because the console session is gone. */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Sends a request to the console (same origin, session cookie); throws an ApiError on failure. */
export async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/fhir+json, application/json');
  const method = (init.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && csrfToken) headers.set('x-csrf-token', csrfToken);
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(networkFailure(error));
  }
  if (!response.ok) {
    const failure = failureOf(response.status, await bodyOf(response));
    if (failure.code === 'DMP-CONSOLE-SIGN-IN-REQUIRED') onSignedOut?.();
    throw new ApiError(failure);
  }
  return response;
}

/** GET (or another method) answering JSON. */
export async function getJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await send(path, init);
  return (await response.json()) as T;
}

/** POST or PATCH with a JSON body of `contentType`, answering JSON (or nothing). */
export async function sendJson<T>(
  method: 'POST' | 'PATCH',
  path: string,
  body: unknown,
  contentType = 'application/fhir+json',
  extraHeaders: Record<string, string> = {},
): Promise<T | undefined> {
  const response = await send(path, {
    method,
    headers: { 'content-type': contentType, ...extraHeaders },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return text ? (JSON.parse(text) as T) : undefined;
}

/** Fetches every page of a searchset (following `next`), reporting progress. */
export async function readAllPages<T>(
  firstPath: string,
  toPath: (nextUrl: string) => string,
  onPage: (items: number, pages: number) => void,
  limit = 5000,
): Promise<{ resources: T[]; truncated: boolean }> {
  const resources: T[] = [];
  let path: string | undefined = firstPath;
  let pages = 0;
  while (path) {
    const bundle: SearchBundle<T> = await getJson<SearchBundle<T>>(path);
    pages += 1;
    for (const entry of bundle.entry ?? []) if (entry.resource) resources.push(entry.resource);
    onPage(resources.length, pages);
    if (resources.length >= limit) return { resources, truncated: true };
    const next = bundle.link?.find((link) => link.relation === 'next')?.url;
    path = next ? toPath(next) : undefined;
  }
  return { resources, truncated: false };
}

interface SearchBundle<T> {
  entry?: { resource?: T }[];
  link?: { relation: string; url: string }[];
}
