import { FhirError } from '@dmp/errors';
import { parseSearch } from './parse-search';
import type { SearchFilter } from './search-query';

function filtersOf(type: string, query: string): SearchFilter[] {
  return parseSearch(type, new URLSearchParams(query)).query.filters;
}

function errorOf(type: string, query: string, lenient = false): FhirError {
  try {
    parseSearch(type, new URLSearchParams(query), { lenient });
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error('expected a FhirError');
}

describe('parseSearch: a typical ITI-67 query', () => {
  it('builds chain, token and date filters with the default page and no sort', () => {
    // Arrange
    const input = new URLSearchParams(
      'patient.identifier=urn:oid:1.2.250.1.213.1.4.8|255081416802538&status=current&creation=ge2024-01&_format=json',
    );

    // Act
    const { query, ignored } = parseSearch('DocumentReference', input);

    // Assert
    expect(ignored).toEqual([]);
    expect(query).toEqual({
      resourceType: 'DocumentReference',
      filters: [
        {
          kind: 'chain',
          param: 'patient',
          targetType: 'Patient',
          target: {
            kind: 'token',
            param: 'identifier',
            negate: false,
            anyOf: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', code: '255081416802538' }],
          },
        },
        { kind: 'token', param: 'status', negate: false, anyOf: [{ code: 'current' }] },
        {
          kind: 'date',
          param: 'creation',
          anyOf: [
            { prefix: 'ge', low: '2024-01-01T00:00:00.000Z', high: '2024-02-01T00:00:00.000Z' },
          ],
        },
      ],
      sort: [],
      count: 20,
      total: 'none',
      summaryCount: false,
    });
  });

  it('accepts an Express-style record with repeated parameters as arrays (POST _search)', () => {
    const { query } = parseSearch('DocumentReference', {
      patient: 'Patient/p1',
      date: ['ge2024-01-01', 'lt2025'],
      ignoredUndefined: undefined,
    });

    expect(query.filters.map((f) => f.kind)).toEqual(['reference', 'date', 'date']);
  });

  it('rejects a nested object value that a qs parser could produce', () => {
    const input = { status: [{ a: 1 }] } as unknown as Record<string, string>;

    expect(() => parseSearch('DocumentReference', input)).toThrow(FhirError);
  });
});

describe('parseSearch: tokens', () => {
  it.each([
    ['sys|code', { system: 'sys', code: 'code' }],
    ['|code', { system: null, code: 'code' }],
    ['code', { code: 'code' }],
    ['sys|', { system: 'sys' }],
    ['a\\|b|c', { system: 'a|b', code: 'c' }],
  ])('reads %s', (value, expected) => {
    const [filter] = filtersOf('DocumentReference', `type=${encodeURIComponent(value)}`);

    expect(filter).toEqual({ kind: 'token', param: 'type', negate: false, anyOf: [expected] });
  });

  it('ORs comma-separated values and keeps escaped commas', () => {
    const [filter] = filtersOf('DocumentReference', 'status=current,superseded&event=a\\,b');

    expect(filter).toMatchObject({ anyOf: [{ code: 'current' }, { code: 'superseded' }] });
    expect(filtersOf('DocumentReference', 'event=a\\,b')[0]).toMatchObject({
      anyOf: [{ code: 'a,b' }],
    });
  });

  it('negates with :not', () => {
    const [filter] = filtersOf('DocumentReference', 'status:not=entered-in-error');

    expect(filter).toMatchObject({ kind: 'token', negate: true });
  });

  it('reads _id as a bare id and accepts the PDSm alias of isArchived', () => {
    expect(filtersOf('List', '_id=abc-1&PDSm_isArchived=true')).toEqual([
      { kind: 'token', param: '_id', negate: false, anyOf: [{ code: 'abc-1' }] },
      { kind: 'token', param: 'isArchived', negate: false, anyOf: [{ code: 'true' }] },
    ]);
  });

  it.each(['type=a|b|c', 'type=|', 'status=a,,b', 'status=', '_id=bad id', '_id=a/b'])(
    'answers 400 DMP-SEARCH-INVALID-VALUE for %s',
    (query) => {
      const error = errorOf('DocumentReference', query);

      expect(error.code).toBe('DMP-SEARCH-INVALID-VALUE');
      expect(error.status).toBe(400);
    },
  );

  it('refuses :text as an unsupported modifier', () => {
    expect(errorOf('DocumentReference', 'type:text=x').code).toBe(
      'DMP-SEARCH-UNSUPPORTED-MODIFIER',
    );
  });
});

describe('parseSearch: strings', () => {
  it('folds starts-with and contains values, keeps :exact as given', () => {
    const filters = filtersOf(
      'Patient',
      'family=%C3%89LO%C3%8FSE&given:contains=Jean&name:exact=L%C3%A9a',
    );

    expect(filters).toEqual([
      { kind: 'string', param: 'family', match: 'starts-with', anyOf: ['eloise'] },
      { kind: 'string', param: 'given', match: 'contains', anyOf: ['jean'] },
      { kind: 'string', param: 'name', match: 'exact', anyOf: ['Léa'] },
    ]);
  });

  it('answers 400 when the value folds to nothing', () => {
    expect(errorOf('Patient', 'family=%20').code).toBe('DMP-SEARCH-INVALID-VALUE');
  });
});

describe('parseSearch: references', () => {
  it.each([
    ['patient=Patient/123', { type: 'Patient', id: '123' }],
    ['patient=123', { type: 'Patient', id: '123' }],
    ['related=abc', { id: 'abc' }],
    ['author:Practitioner=p1', { type: 'Practitioner', id: 'p1' }],
    ['subject=urn:uuid:1f5e', { url: 'urn:uuid:1f5e' }],
    [
      'patient=https://other.example/fhir/Patient/9',
      { type: 'Patient', url: 'https://other.example/fhir/Patient/9' },
    ],
    ['related=https://x.example/doc', { url: 'https://x.example/doc' }],
  ])('reads %s', (query, expected) => {
    const [filter] = filtersOf('DocumentReference', query);

    expect(filter).toMatchObject({ kind: 'reference', anyOf: [expected] });
  });

  it('gives the id of a [base]/Type/id URL of this server', () => {
    const { query } = parseSearch(
      'DocumentReference',
      new URLSearchParams('patient=https://dmp.example/fhir/Patient/7'),
      { baseUrl: 'https://dmp.example/fhir/' },
    );

    expect(query.filters[0]).toMatchObject({
      anyOf: [{ type: 'Patient', id: '7', url: 'https://dmp.example/fhir/Patient/7' }],
    });
  });

  it.each([
    'patient=Group/1',
    'patient=Patient/1/_history/2',
    'author:Practitioner=Organization/o1',
    'patient=ftp://x',
    'patient=bad%20id',
  ])('answers 400 DMP-SEARCH-INVALID-VALUE for %s', (query) => {
    expect(errorOf('DocumentReference', query).code).toBe('DMP-SEARCH-INVALID-VALUE');
  });

  it('refuses :identifier and a :Type outside the targets as unsupported modifiers', () => {
    expect(errorOf('DocumentReference', 'patient:identifier=a|b').code).toBe(
      'DMP-SEARCH-UNSUPPORTED-MODIFIER',
    );
    expect(errorOf('DocumentReference', 'patient:Group=1').code).toBe(
      'DMP-SEARCH-UNSUPPORTED-MODIFIER',
    );
  });
});

describe('parseSearch: chains', () => {
  it('reads author.given and author.family:exact as Practitioner chains', () => {
    const filters = filtersOf('DocumentReference', 'author.given=Jean&author.family:exact=Dupont');

    expect(filters).toEqual([
      {
        kind: 'chain',
        param: 'author',
        targetType: 'Practitioner',
        target: { kind: 'string', param: 'given', match: 'starts-with', anyOf: ['jean'] },
      },
      {
        kind: 'chain',
        param: 'author',
        targetType: 'Practitioner',
        target: { kind: 'string', param: 'family', match: 'exact', anyOf: ['Dupont'] },
      },
    ]);
  });

  it('reads the typed form patient:Patient.identifier and List source:Patient.family', () => {
    expect(filtersOf('DocumentReference', 'patient:Patient.identifier=s|v')[0]).toMatchObject({
      kind: 'chain',
      targetType: 'Patient',
    });
    expect(filtersOf('List', 'source:Patient.family=Martin')[0]).toMatchObject({
      kind: 'chain',
      param: 'source',
      targetType: 'Patient',
    });
  });

  it('treats AuditEvent entity.identifier as the entity-id alias, not a chain', () => {
    expect(filtersOf('AuditEvent', 'entity.identifier=s|v')[0]).toMatchObject({
      kind: 'token',
      param: 'entity-id',
    });
  });

  it.each([
    'status.code=x',
    'patient.name=x',
    'author.identifier=x',
    'patient.identifier.system=x',
    'patient:Group.identifier=x',
    'patient.identifier:missing=true',
  ])('answers 400 for the undeclared chain %s, naming it', (query) => {
    const error = errorOf('DocumentReference', query);

    expect(['DMP-SEARCH-UNKNOWN-PARAMETER', 'DMP-SEARCH-UNSUPPORTED-MODIFIER']).toContain(
      error.code,
    );
    expect(error.outcome.issue[0]?.expression).toEqual([query.split('=')[0]]);
  });
});

describe('parseSearch: uri and :missing', () => {
  it('reads exact, :below and :above uri filters', () => {
    expect(filtersOf('AuditEvent', 'policy=http://a/b&policy:below=http://a')).toEqual([
      { kind: 'uri', param: 'policy', match: 'exact', anyOf: ['http://a/b'] },
      { kind: 'uri', param: 'policy', match: 'below', anyOf: ['http://a'] },
    ]);
    expect(filtersOf('AuditEvent', 'policy:above=http://a/b/c')[0]).toMatchObject({
      match: 'above',
    });
  });

  it('reads :missing=true|false on any parameter type', () => {
    expect(filtersOf('DocumentReference', 'period:missing=true&author:missing=false')).toEqual([
      { kind: 'missing', param: 'period', missing: true },
      { kind: 'missing', param: 'author', missing: false },
    ]);
  });

  it('answers 400 for :missing=maybe', () => {
    expect(errorOf('DocumentReference', 'period:missing=maybe').code).toBe(
      'DMP-SEARCH-INVALID-VALUE',
    );
  });
});

describe('parseSearch: control characters', () => {
  it.each([
    ['a NUL in a string value', 'DocumentReference', 'description:contains=a%00b'],
    ['a NUL in a uri value', 'AuditEvent', 'policy:below=http://a%00'],
    ['a newline in a bare id', 'AuditEvent', 'entity=abc%0A'],
    ['a tab in a token', 'DocumentReference', 'type=http://loinc.org|1%09'],
    ['DEL in a name', 'DocumentReference', 'descr%7Fiption=x'],
  ])('answers 400 DMP-SEARCH-INVALID-VALUE for %s', (_name, type, query) => {
    const error = errorOf(type, query);
    expect(error.status).toBe(400);
    expect(error.code).toBe('DMP-SEARCH-INVALID-VALUE');
    expect(error.message).toMatch(/control character/);
  });

  it('refuses them in a record input (POST _search form) too', () => {
    expect(() => parseSearch('DocumentReference', { description: ['ok', 'bad\u0000'] })).toThrow(
      expect.objectContaining({ code: 'DMP-SEARCH-INVALID-VALUE' }) as Error,
    );
  });

  it('keeps every printable character, including non-ASCII', () => {
    expect(filtersOf('DocumentReference', 'description=%C3%A9t%C3%A9%20%E2%82%AC')).toHaveLength(1);
  });
});
