import { SEARCH_PARAMETERS, type SearchFilter } from '@dmp/fhir';
import { createIndexer } from '@dmp/storage';
import { pageLimit } from './search';
import { escapeLike, renderFilters } from './search-sql';

const indexer = createIndexer(SEARCH_PARAMETERS);
const NOW = new Date('2026-01-01T00:00:00Z');
const HOSTILE = "x' OR 1=1; DROP TABLE resources; --";

describe('renderFilters', () => {
  it('binds every value as a parameter and never writes it into the SQL text', () => {
    const filters: SearchFilter[] = [
      { kind: 'reference', param: 'patient', anyOf: [{ type: 'Patient', id: HOSTILE }] },
      { kind: 'token', param: 'type', negate: false, anyOf: [{ system: HOSTILE, code: HOSTILE }] },
      { kind: 'string', param: 'description', match: 'contains', anyOf: [HOSTILE] },
      {
        kind: 'chain',
        param: 'author',
        targetType: 'Practitioner',
        target: { kind: 'string', param: 'family', match: 'exact', anyOf: [HOSTILE] },
      },
      { kind: 'uri', param: 'related', match: 'below', anyOf: [HOSTILE] },
    ];
    const fragment = renderFilters('DocumentReference', filters, indexer, NOW);
    expect(fragment.sql).not.toContain('DROP');
    expect(fragment.params.filter((p) => String(p).includes('DROP')).length).toBeGreaterThan(4);
    expect(fragment.sql.split('?').length - 1).toBe(fragment.params.length);
  });

  it('drives the query from the first reference filter with an IN subquery', () => {
    const fragment = renderFilters(
      'DocumentReference',
      [
        { kind: 'token', param: 'status', negate: false, anyOf: [{ code: 'current' }] },
        { kind: 'reference', param: 'patient', anyOf: [{ type: 'Patient', id: 'p1' }] },
      ],
      indexer,
      NOW,
    );
    expect(fragment.sql).toMatch(/^\(EXISTS .*\) AND \(r\.rid IN \(SELECT s\.rid/);
  });

  it('without a reference, drives from the first token filter naming system and code (the patient key)', () => {
    const fragment = renderFilters(
      'DocumentReference',
      [
        { kind: 'token', param: 'status', negate: false, anyOf: [{ code: 'current' }] },
        {
          kind: 'token',
          param: 'dmp-patient',
          negate: false,
          anyOf: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', code: '255081416802538' }],
        },
      ],
      indexer,
      NOW,
    );
    expect(fragment.sql).toMatch(/^\(EXISTS .*\) AND \(r\.rid IN \(SELECT s\.rid/);
  });

  it('escapes LIKE wildcards and the escape character itself', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });
});

describe('pageLimit', () => {
  it('writes one row more than the page into the SQL, for integer page sizes only', () => {
    expect(pageLimit(20)).toBe('LIMIT 21');
    expect(pageLimit(0)).toBe('LIMIT 1');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 2.5, -1, 2 ** 53]) {
      expect(() => pageLimit(bad)).toThrow(TypeError);
    }
  });
});
