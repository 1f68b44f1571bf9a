import { createHash } from 'node:crypto';
import { fhirError } from '@dmp/errors';
import type { SearchQuery } from '@dmp/fhir';

/** Where the previous page ended: its last row's sort values and id. */
export interface CursorPosition {
  keys: string[];
  id: string;
}

/**
 * Opaque cursor = base64url(JSON `{ f, k, i }`): `f` a fingerprint of the query (type, filters,
 * sort), `k` the last row's sort values, `i` its id. Shared by every adapter (keyset paging):
 * a cursor replayed against another query, or forged, is `DMP-SEARCH-INVALID-CURSOR`.
 */
export function encodeCursor(query: SearchQuery, position: CursorPosition): string {
  const body = { f: fingerprint(query), k: position.keys, i: position.id };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodeCursor(query: SearchQuery, cursor: string, keyCount: number): CursorPosition {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof body !== 'object' || body === null) throw invalid();
  const { f, k, i } = body as { f?: unknown; k?: unknown; i?: unknown };
  if (f !== fingerprint(query) || typeof i !== 'string' || !Array.isArray(k)) throw invalid();
  if (!k.every((v): v is string => typeof v === 'string') || k.length !== keyCount) {
    throw invalid();
  }
  return { keys: k, id: i };
}

function fingerprint(query: SearchQuery): string {
  const shape = JSON.stringify([query.resourceType, query.filters, query.sort]);
  return createHash('sha256').update(shape).digest('base64url').slice(0, 16);
}

const invalid = () =>
  fhirError(
    'DMP-SEARCH-INVALID-CURSOR',
    'The paging cursor is not valid for this search; start again from the first page.',
  );
