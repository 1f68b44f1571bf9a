import type { SearchQuery, SortKey } from '@dmp/fhir';
import { decodeCursor, encodeCursor } from './search-cursor';

function query(patient: string, sort: SortKey[] = []): SearchQuery {
  return {
    resourceType: 'DocumentReference',
    filters: [{ kind: 'reference', param: 'patient', anyOf: [{ type: 'Patient', id: patient }] }],
    sort,
    count: 20,
    total: 'none',
    summaryCount: false,
  };
}

describe('paging cursor', () => {
  const q = query('p1', [{ param: 'date', descending: true }]);

  it('is opaque base64url and decodes back to the position for the same query', () => {
    const cursor = encodeCursor(q, { keys: ['2024-01-01T00:00:00.000Z'], id: 'd1' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(q, cursor, 1)).toEqual({ keys: ['2024-01-01T00:00:00.000Z'], id: 'd1' });
  });

  it.each([
    ['another query', encodeCursor(query('p2'), { keys: ['x'], id: 'd' })],
    ['garbage', 'bm90LWEtY3Vyc29y'],
    ['not base64 JSON', '%%%'],
    ['a wrong number of keys', encodeCursor(q, { keys: ['a', 'b'], id: 'd' })],
  ])('refuses %s with DMP-SEARCH-INVALID-CURSOR (400)', (_name, cursor) => {
    expect(() => decodeCursor(q, cursor, 1)).toThrow(
      expect.objectContaining({ status: 400, code: 'DMP-SEARCH-INVALID-CURSOR' }),
    );
  });
});
