import { FhirError } from '@dmp/errors';
import { parseSearch } from './parse-search';
import type { ParseSearchOptions } from './parse-search';

function parse(type: string, query: string, options: ParseSearchOptions = {}) {
  return parseSearch(type, new URLSearchParams(query), options);
}

function errorOf(type: string, query: string, options: ParseSearchOptions = {}): FhirError {
  try {
    parse(type, query, options);
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error('expected a FhirError');
}

describe('parseSearch: paging and result controls', () => {
  it('uses defaultCount and caps it at maxCount', () => {
    expect(parse('List', '', { defaultCount: 5 }).query.count).toBe(5);
    expect(parse('List', '', { defaultCount: 50, maxCount: 10 }).query.count).toBe(10);
  });

  it('accepts _count up to maxCount, including 0', () => {
    expect(parse('List', '_count=100').query.count).toBe(100);
    expect(parse('List', '_count=0&_summary=count').query).toMatchObject({
      count: 0,
      summaryCount: true,
    });
  });

  it('answers 400 DMP-SEARCH-COUNT-TOO-LARGE beyond maxCount', () => {
    const error = errorOf('List', '_count=11', { maxCount: 10 });

    expect(error.code).toBe('DMP-SEARCH-COUNT-TOO-LARGE');
    expect(error.outcome.issue[0]?.expression).toEqual(['_count']);
  });

  it.each(['_count=-1', '_count=2.5', '_count=ten', '_count=', '_count=1&_count=2'])(
    'answers 400 DMP-SEARCH-INVALID-VALUE for %s',
    (query) => {
      expect(errorOf('List', query).code).toBe('DMP-SEARCH-INVALID-VALUE');
    },
  );

  it('reads _sort keys by code or alias, descending with -', () => {
    const { query } = parse(
      'DocumentReference',
      '_sort=-date,PDSm_DocumentReference_period-start,_id',
    );

    expect(query.sort).toEqual([
      { param: 'date', descending: true },
      { param: 'period-start', descending: false },
      { param: '_id', descending: false },
    ]);
  });

  it.each(['_sort=status', '_sort=nope', '_sort=date,,_id', '_sort=date,-date', '_sort='])(
    'answers 400 DMP-SEARCH-INVALID-SORT for %s',
    (query) => {
      expect(errorOf('DocumentReference', query).code).toBe('DMP-SEARCH-INVALID-SORT');
    },
  );

  it.each(['none', 'estimate', 'accurate'] as const)('reads _total=%s', (mode) => {
    expect(parse('AuditEvent', `_total=${mode}`).query.total).toBe(mode);
  });

  it('answers 400 for an unknown _total', () => {
    expect(errorOf('AuditEvent', '_total=all').code).toBe('DMP-SEARCH-INVALID-VALUE');
  });

  it('refuses _summary=true unless lenient, and a garbage _summary always', () => {
    expect(errorOf('Patient', '_summary=true').code).toBe('DMP-SEARCH-UNKNOWN-PARAMETER');
    expect(parse('Patient', '_summary=true', { lenient: true }).ignored).toEqual(['_summary']);
    expect(parse('Patient', '_summary=false').query.summaryCount).toBe(false);
    expect(errorOf('Patient', '_summary=maybe', { lenient: true }).code).toBe(
      'DMP-SEARCH-INVALID-VALUE',
    );
  });

  it('passes _cursor through and ignores _format', () => {
    const { query, ignored } = parse('Consent', '_cursor=opaque.abc%3D&_format=xml');

    expect(query.cursor).toBe('opaque.abc=');
    expect(ignored).toEqual([]);
  });

  it('reads _lastUpdated as a date filter', () => {
    expect(parse('Binary', '_lastUpdated=gt2024-01-01T00:00:00Z').query.filters[0]).toMatchObject({
      kind: 'date',
      param: '_lastUpdated',
      anyOf: [{ prefix: 'gt' }],
    });
  });
});

describe('parseSearch: unknown parameters and lenient handling', () => {
  it.each([
    ['DocumentReference', 'foo=1', 'foo'],
    ['DocumentReference', '_include=DocumentReference:subject', '_include'],
    ['DocumentReference', 'status:foo=current', 'status:foo'],
    ['Binary', 'patient=1', 'patient'],
    ['Patient', 'birthdate:exact=2000', 'birthdate:exact'],
  ])('for %s answers 400 naming %s', (type, query, name) => {
    const error = errorOf(type, query);

    expect(error.status).toBe(400);
    expect(['DMP-SEARCH-UNKNOWN-PARAMETER', 'DMP-SEARCH-UNSUPPORTED-MODIFIER']).toContain(
      error.code,
    );
    expect(error.outcome.issue[0]?.expression).toEqual([name]);
  });

  it('ignores unknown parameters and modifiers under lenient handling and lists them once', () => {
    const { query, ignored } = parse(
      'DocumentReference',
      'foo=1&foo=2&status=current&type:text=x&bar=',
      { lenient: true },
    );

    expect(ignored).toEqual(['foo', 'type:text', 'bar']);
    expect(query.filters).toHaveLength(1);
  });

  it('still answers 400 for a bad value of a known parameter under lenient handling', () => {
    expect(errorOf('DocumentReference', 'date=2024-99', { lenient: true }).code).toBe(
      'DMP-SEARCH-INVALID-VALUE',
    );
  });

  it('throws a TypeError for a type without registered parameters', () => {
    expect(() => parse('Observation', 'code=x')).toThrow(TypeError);
  });

  it('uses the parameters given in the options instead of the registry', () => {
    const parameters = [
      { code: 'only', type: 'token' as const, expression: 'X.only', definition: 'urn:x' },
    ];

    expect(parse('X', 'only=a', { parameters }).query.filters).toHaveLength(1);
    expect(errorOf('X', 'status=a', { parameters }).code).toBe('DMP-SEARCH-UNKNOWN-PARAMETER');
  });
});

describe('parseSearch: one representative query per served type', () => {
  it.each([
    ['List', 'patient.identifier=s|v&code=submissionset&status=current&designationType=a|b'],
    ['List', 'sourceId=urn:oid:1.2&authorOrg=Organization/o1&title=Comp&source.given=Jean'],
    ['Patient', 'identifier=urn:oid:1.2.250.1.213.1.4.8|x&gender=female&active=true'],
    [
      'Consent',
      'patient=p1&status=active&scope=patient-privacy&actor=Practitioner/x&data=DocumentReference/1',
    ],
    ['Consent', 'period=ge2024&security-label=R&source-reference=Consent/c0&purpose=TREAT'],
    ['AuditEvent', 'date=ge2024-01-01&date=le2024-12-31&patient.identifier=s|v&entity-id=s|d'],
    ['AuditEvent', 'agent=Practitioner/1&agent-name=Dr&address=10.0.0.1&site=x&altid=a'],
    ['Communication', 'patient=1&recipient=Practitioner/2&sent=ge2024&category=x&status=done'],
    ['DocumentReference', 'relatesTo=DocumentReference/d1&relation=replaces&language=fr'],
    ['DocumentReference', 'contenttype=application/pdf&description=compte&isArchived=false'],
  ])('parses a %s search without error', (type, query) => {
    const { query: parsed } = parse(type, query);

    expect(parsed.filters.length).toBe(new URLSearchParams(query).size);
  });
});
