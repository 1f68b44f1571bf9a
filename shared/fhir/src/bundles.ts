import type { Bundle, BundleEntry, BundleLink, FhirResource, OperationOutcome } from 'fhir/r4';

/** Links of a search or history page; `self` is required, the others when they exist. */
export interface PageLinks {
  self: string;
  next?: string;
  previous?: string;
}

export interface SearchsetInput<T extends FhirResource> {
  resources: readonly T[];
  /** Absolute URL of a match, e.g. `[base]/DocumentReference/123`. */
  fullUrlOf: (resource: T) => string;
  /** Present when the client asked for it (`_total`, `_summary=count`). */
  total?: number;
  links: PageLinks;
  /** Warnings (e.g. ignored parameters): an entry with `search.mode = outcome`. */
  outcome?: OperationOutcome;
}

function toLinks(links: PageLinks): BundleLink[] {
  const result: BundleLink[] = [{ relation: 'self', url: links.self }];
  if (links.next !== undefined) result.push({ relation: 'next', url: links.next });
  if (links.previous !== undefined) result.push({ relation: 'previous', url: links.previous });
  return result;
}

/** A `searchset` Bundle: the matches (`search.mode = match`), then the optional outcome. */
export function buildSearchsetBundle<T extends FhirResource>(input: SearchsetInput<T>): Bundle {
  const entry: BundleEntry[] = input.resources.map((resource) => ({
    fullUrl: input.fullUrlOf(resource),
    resource,
    search: { mode: 'match' },
  }));
  if (input.outcome) entry.push({ resource: input.outcome, search: { mode: 'outcome' } });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(input.total !== undefined ? { total: input.total } : {}),
    link: toLinks(input.links),
    // FHIR JSON has no empty arrays: an empty page has no `entry` at all.
    ...(entry.length > 0 ? { entry } : {}),
  };
}

/** The outcome of one entry of a transaction or batch, in request order. */
export interface TransactionEntryResult {
  /** HTTP status line, e.g. `201 Created` (a bare `201` is accepted too). */
  status: string;
  location?: string;
  etag?: string;
  /** FHIR instant. */
  lastModified?: string;
  /** The resource, when the client asked for `Prefer: return=representation`. */
  resource?: FhirResource;
  /** Errors or warnings for this entry (batch) or `Prefer: return=OperationOutcome`. */
  outcome?: OperationOutcome;
  fullUrl?: string;
}

/** A `transaction-response` or `batch-response` Bundle, one entry per request entry. */
export function buildTransactionResponse(
  entries: readonly TransactionEntryResult[],
  type: 'transaction-response' | 'batch-response' = 'transaction-response',
): Bundle {
  return {
    resourceType: 'Bundle',
    type,
    entry: entries.map((e) => ({
      ...(e.fullUrl !== undefined ? { fullUrl: e.fullUrl } : {}),
      ...(e.resource !== undefined ? { resource: e.resource } : {}),
      response: {
        status: e.status,
        ...(e.location !== undefined ? { location: e.location } : {}),
        ...(e.etag !== undefined ? { etag: e.etag } : {}),
        ...(e.lastModified !== undefined ? { lastModified: e.lastModified } : {}),
        ...(e.outcome !== undefined ? { outcome: e.outcome } : {}),
      },
    })),
  };
}

/** One version in a history: the resource (absent for a delete) and how it came to be. */
export interface HistoryEntry {
  fullUrl: string;
  /** Absent when this version is a delete. */
  resource?: FhirResource;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Request URL relative to the base, e.g. `DocumentReference/123`. */
  url: string;
  /** e.g. `201 Created`, `200 OK`, `204 No Content`. */
  status: string;
  etag?: string;
  lastModified?: string;
}

export interface HistoryInput {
  entries: readonly HistoryEntry[];
  total?: number;
  links: PageLinks;
}

/** A `history` Bundle, newest version first as given. */
export function buildHistoryBundle(input: HistoryInput): Bundle {
  const entry: BundleEntry[] = input.entries.map((e) => ({
    fullUrl: e.fullUrl,
    ...(e.resource !== undefined ? { resource: e.resource } : {}),
    request: { method: e.method, url: e.url },
    response: {
      status: e.status,
      ...(e.etag !== undefined ? { etag: e.etag } : {}),
      ...(e.lastModified !== undefined ? { lastModified: e.lastModified } : {}),
    },
  }));
  return {
    resourceType: 'Bundle',
    type: 'history',
    ...(input.total !== undefined ? { total: input.total } : {}),
    link: toLinks(input.links),
    ...(entry.length > 0 ? { entry } : {}),
  };
}

const VERSION_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/** The weak ETag of a version: `W/"3"`. */
export function etagOf(versionId: string): string {
  return `W/"${versionId}"`;
}

/**
 * The version id in an `If-Match` / `ETag` value: accepts `W/"3"`, `"3"` and `3`. Anything else
 * (empty, unbalanced quotes, a list, `*`) gives undefined.
 */
export function parseETag(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"([^"]*)"$/.exec(header.trim());
  const version = match ? match[1] : header.trim();
  return version !== undefined && VERSION_PATTERN.test(version) ? version : undefined;
}
