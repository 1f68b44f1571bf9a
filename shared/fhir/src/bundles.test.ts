import type { DocumentReference, OperationOutcome, Patient } from 'fhir/r4';
import {
  buildHistoryBundle,
  buildSearchsetBundle,
  buildTransactionResponse,
  etagOf,
  parseETag,
} from './bundles';

const outcome: OperationOutcome = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'warning', code: 'not-supported', diagnostics: 'ignored foo' }],
};

describe('buildSearchsetBundle', () => {
  it('lists the matches with their fullUrl, the links, the total and the outcome last', () => {
    // Arrange
    const docs: DocumentReference[] = [
      { resourceType: 'DocumentReference', id: 'a', status: 'current', content: [] },
    ];

    // Act
    const bundle = buildSearchsetBundle({
      resources: docs,
      fullUrlOf: (r) => `https://x/fhir/DocumentReference/${r.id ?? ''}`,
      total: 1,
      links: { self: 'https://x/fhir/DocumentReference?status=current', next: 'https://x/n' },
      outcome,
    });

    // Assert
    expect(bundle).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 1,
      link: [
        { relation: 'self', url: 'https://x/fhir/DocumentReference?status=current' },
        { relation: 'next', url: 'https://x/n' },
      ],
      entry: [
        {
          fullUrl: 'https://x/fhir/DocumentReference/a',
          resource: docs[0],
          search: { mode: 'match' },
        },
        { resource: outcome, search: { mode: 'outcome' } },
      ],
    });
  });

  it('gives an empty searchset without entry (no empty array in FHIR JSON) and without total when none was asked', () => {
    const bundle = buildSearchsetBundle<Patient>({
      resources: [],
      fullUrlOf: () => 'unused',
      links: { self: 'https://x/fhir/Patient' },
    });

    expect(bundle).not.toHaveProperty('entry');
    expect(bundle).not.toHaveProperty('total');
  });
});

describe('buildTransactionResponse', () => {
  it('answers one entry per request entry with status, location, etag and lastModified', () => {
    const bundle = buildTransactionResponse([
      {
        status: '201 Created',
        location: 'DocumentReference/1/_history/1',
        etag: 'W/"1"',
        lastModified: '2024-01-01T00:00:00Z',
      },
      { status: '400 Bad Request', outcome },
    ]);

    expect(bundle.type).toBe('transaction-response');
    expect(bundle.entry).toEqual([
      {
        response: {
          status: '201 Created',
          location: 'DocumentReference/1/_history/1',
          etag: 'W/"1"',
          lastModified: '2024-01-01T00:00:00Z',
        },
      },
      { response: { status: '400 Bad Request', outcome } },
    ]);
  });

  it('builds a batch-response with the resources returned', () => {
    const patient: Patient = { resourceType: 'Patient', id: 'p' };

    const bundle = buildTransactionResponse(
      [{ status: '200 OK', resource: patient }],
      'batch-response',
    );

    expect(bundle.type).toBe('batch-response');
    expect(bundle.entry?.[0]?.resource).toBe(patient);
  });
});

describe('buildHistoryBundle', () => {
  it('keeps request and response for each version and leaves deletes without resource', () => {
    const bundle = buildHistoryBundle({
      entries: [
        {
          fullUrl: 'https://x/fhir/Patient/p',
          method: 'DELETE',
          url: 'Patient/p',
          status: '204 No Content',
          etag: 'W/"2"',
        },
        {
          fullUrl: 'https://x/fhir/Patient/p',
          resource: { resourceType: 'Patient', id: 'p' },
          method: 'POST',
          url: 'Patient',
          status: '201 Created',
          lastModified: '2024-01-01T00:00:00Z',
        },
      ],
      total: 2,
      links: { self: 'https://x/fhir/Patient/p/_history' },
    });

    expect(bundle.type).toBe('history');
    expect(bundle.total).toBe(2);
    expect(bundle.entry?.[0]).toEqual({
      fullUrl: 'https://x/fhir/Patient/p',
      request: { method: 'DELETE', url: 'Patient/p' },
      response: { status: '204 No Content', etag: 'W/"2"' },
    });
    expect(bundle.entry?.[1]?.resource).toEqual({ resourceType: 'Patient', id: 'p' });
  });

  it('gives an empty page of history without entry', () => {
    const bundle = buildHistoryBundle({ entries: [], links: { self: 'https://x/fhir/_history' } });

    expect(bundle).not.toHaveProperty('entry');
    expect(bundle.link).toEqual([{ relation: 'self', url: 'https://x/fhir/_history' }]);
  });
});

describe('ETags', () => {
  it('writes a weak ETag from a version id', () => {
    expect(etagOf('3')).toBe('W/"3"');
  });

  it.each([
    ['W/"3"', '3'],
    ['"3"', '3'],
    ['3', '3'],
    [' W/"12" ', '12'],
  ])('reads %s as version %s', (header, version) => {
    expect(parseETag(header)).toBe(version);
  });

  it.each([undefined, '', 'W/""', '"3', 'W/3', '*', '"1", "2"', 'W/"a b"'])(
    'gives undefined for %p',
    (header) => {
      expect(parseETag(header)).toBeUndefined();
    },
  );
});
