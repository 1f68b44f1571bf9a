import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Query } from 'mingo';
import type { DatePrefix, SearchFilter, SearchQuery } from '@dmp/fhir';
import { INS_SYSTEM, LOINC, query } from '@dmp/storage-contract';
import type { ResourceDoc } from '../documents';
import { renderChainLookups, renderSearchFilter, type MongoFilter } from './render-filter';
import { indexer, seedFixtures, type SearchFixtures } from './search-fixtures';
import { uncoveredEntryMatches } from './index-coverage';
import { validateFilter } from './validate-filter';

/**
 * Every search the contract suite covers, rendered to a MongoDB filter, evaluated by mingo over
 * the documents the Mongo adapter would hold, must select exactly what the SQLite adapter selects
 * for the same query over the same resources.
 */

const DAY = { low: '2024-03-05T00:00:00.000Z', high: '2024-03-06T00:00:00.000Z' };
const JANUARY = { low: '2024-01-01T00:00:00.000Z', high: '2024-02-01T00:00:00.000Z' };
const PREFIXES: DatePrefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

let fx: SearchFixtures;
const blobDir = mkdtempSync(path.join(os.tmpdir(), 'dmp-mingo-'));

beforeAll(async () => {
  fx = await seedFixtures(blobDir);
});
afterAll(async () => {
  await fx.store.close();
  rmSync(blobDir, { recursive: true, force: true });
});

const ref = (param: string, id: string, type?: string): SearchFilter => ({
  kind: 'reference',
  param,
  anyOf: [type === undefined ? { id } : { type, id }],
});
const token = (
  param: string,
  anyOf: { system?: string | null; code?: string }[],
  negate = false,
): SearchFilter => ({
  kind: 'token',
  param,
  negate,
  anyOf,
});
const date = (param: string, prefix: DatePrefix, range = DAY): SearchFilter => ({
  kind: 'date',
  param,
  anyOf: [{ prefix, ...range }],
});

/** Evaluates a query the way the Mongo adapter runs it: chain lookups first, then the filter. */
function mingoSelect(q: SearchQuery): string[] {
  const ctx = { indexer, now: fx.now };
  const targets = new Map<number, string[]>();
  for (const lookup of renderChainLookups(q, ctx)) {
    validateFilter(lookup.filter);
    expect(uncoveredEntryMatches(lookup.filter)).toEqual([]);
    const found = run(lookup.filter, fx.collections.get(lookup.resourceType) ?? []);
    targets.set(
      lookup.index,
      found.map((d) => `${lookup.resourceType}/${d._id}`),
    );
  }
  const filter = renderSearchFilter(q, ctx, targets);
  validateFilter(filter);
  expect(uncoveredEntryMatches(filter)).toEqual([]);
  return run(filter, fx.collections.get(q.resourceType) ?? [])
    .map((d) => d._id)
    .sort();
}

function run(filter: MongoFilter, docs: ResourceDoc[]): ResourceDoc[] {
  return new Query(filter, {}).find<ResourceDoc>(docs).all();
}

async function sqliteSelect(q: SearchQuery): Promise<string[]> {
  const page = await fx.store.search({ ...q, count: 1000 });
  return page.resources.map((r) => r.id ?? '').sort();
}

const cases: [string, () => SearchQuery][] = [
  [
    'token: code with any system',
    () => query('DocumentReference', [token('type', [{ code: '11488-4' }])]),
  ],
  [
    'token: system|code',
    () => query('DocumentReference', [token('type', [{ system: LOINC, code: '34133-9' }])]),
  ],
  [
    'token: wrong system',
    () => query('DocumentReference', [token('type', [{ system: 'urn:x', code: '11488-4' }])]),
  ],
  [
    'token: system| (any code)',
    () => query('DocumentReference', [token('type', [{ system: LOINC }])]),
  ],
  [
    'token: OR list',
    () =>
      query('DocumentReference', [token('status', [{ code: 'current' }, { code: 'superseded' }])]),
  ],
  [
    'token: |code without system',
    () => query('DocumentReference', [token('status', [{ system: null, code: 'current' }])]),
  ],
  [
    'token: |code on a typed code',
    () => query('DocumentReference', [token('type', [{ system: null, code: '11488-4' }])]),
  ],
  [
    'token: :not',
    () =>
      query('DocumentReference', [
        ref('patient', fx.patientIds.main, 'Patient'),
        token('status', [{ code: 'current' }], true),
      ]),
  ],
  [
    'token: :not on an absent element',
    () => query('DocumentReference', [token('security-label', [{ code: 'R' }], true)]),
  ],
  [
    'token: _id',
    () => query('DocumentReference', [token('_id', [{ code: firstId('DocumentReference') }])]),
  ],
  [
    'token: _id:not',
    () =>
      query('DocumentReference', [token('_id', [{ code: firstId('DocumentReference') }], true)]),
  ],
  [
    'token: identifier on Patient',
    () => query('Patient', [token('identifier', [{ system: INS_SYSTEM, code: 'ins-stored' }])]),
  ],
  ['token: empty OR list', () => query('DocumentReference', [token('status', [])])],
  ['token: empty OR list negated', () => query('DocumentReference', [token('status', [], true)])],
  [
    'string: starts-with folded',
    () =>
      query('Patient', [
        { kind: 'string', param: 'family', match: 'starts-with', anyOf: [`hel${fx.marker}`] },
      ]),
  ],
  [
    'string: contains',
    () =>
      query('Patient', [
        { kind: 'string', param: 'family', match: 'contains', anyOf: [fx.marker] },
      ]),
  ],
  [
    'string: exact',
    () =>
      query('Patient', [
        { kind: 'string', param: 'family', match: 'exact', anyOf: [`Lefèvre-${fx.marker}-Dupont`] },
      ]),
  ],
  [
    'string: exact is case and accent sensitive',
    () =>
      query('Patient', [
        { kind: 'string', param: 'family', match: 'exact', anyOf: [`lefevre-${fx.marker}-dupont`] },
      ]),
  ],
  [
    'string: % is literal',
    () =>
      query('Patient', [
        { kind: 'string', param: 'family', match: 'starts-with', anyOf: [`${fx.marker}%`] },
      ]),
  ],
  [
    'string: _ is literal',
    () =>
      query('Patient', [
        { kind: 'string', param: 'family', match: 'contains', anyOf: [`${fx.marker}_bc`] },
      ]),
  ],
  [
    'string: regex characters are literal',
    () => query('Patient', [{ kind: 'string', param: 'family', match: 'contains', anyOf: ['.*'] }]),
  ],
  [
    'string: name covers given',
    () =>
      query('Patient', [
        { kind: 'string', param: 'name', match: 'starts-with', anyOf: ['zoe', 'luc'] },
      ]),
  ],
  ...PREFIXES.map((p): [string, () => SearchQuery] => [
    `date: ${p} on an instant`,
    () =>
      query('DocumentReference', [ref('patient', fx.patientIds.main, 'Patient'), date('date', p)]),
  ]),
  [
    'date: ap far away',
    () =>
      query('DocumentReference', [
        date('date', 'ap', { low: '1990-01-01T00:00:00.000Z', high: '1990-01-02T00:00:00.000Z' }),
      ]),
  ],
  ...PREFIXES.map((p): [string, () => SearchQuery] => [
    `date: ${p} on a Period`,
    () => query('DocumentReference', [date('period', p, JANUARY)]),
  ]),
  [
    'date: ge inside a Period',
    () =>
      query('DocumentReference', [
        date('period', 'ge', { low: '2024-01-18T00:00:00.000Z', high: '2024-01-19T00:00:00.000Z' }),
      ]),
  ],
  [
    'date: lt inside a Period',
    () =>
      query('DocumentReference', [
        date('period', 'lt', { low: '2024-01-12T00:00:00.000Z', high: '2024-01-13T00:00:00.000Z' }),
      ]),
  ],
  [
    'date: OR of two values',
    () =>
      query('DocumentReference', [
        {
          kind: 'date',
          param: 'date',
          anyOf: [
            { prefix: 'eq', ...DAY },
            { prefix: 'lt', ...JANUARY },
          ],
        },
      ]),
  ],
  [
    'date: _lastUpdated ge',
    () =>
      query('DocumentReference', [
        date('_lastUpdated', 'ge', {
          low: '2026-01-01T00:00:05.000Z',
          high: '2026-01-01T00:00:05.001Z',
        }),
      ]),
  ],
  [
    'reference: Type/id',
    () => query('DocumentReference', [ref('patient', fx.patientIds.main, 'Patient')]),
  ],
  [
    'reference: bare id typed by targets',
    () => query('DocumentReference', [ref('subject', fx.patientIds.main)]),
  ],
  [
    'reference: other type',
    () => query('DocumentReference', [ref('patient', fx.patientIds.main, 'Group')]),
  ],
  [
    'reference: OR list',
    () =>
      query('DocumentReference', [
        {
          kind: 'reference',
          param: 'patient',
          anyOf: [
            { type: 'Patient', id: fx.patientIds.main },
            { type: 'Patient', id: fx.patientIds.other },
          ],
        },
      ]),
  ],
  [
    'reference: absolute URL',
    () =>
      query('DocumentReference', [
        {
          kind: 'reference',
          param: 'subject',
          anyOf: [{ url: 'https://other.example.org/fhir/Patient/x1' }],
        },
      ]),
  ],
  [
    'reference: empty value',
    () => query('DocumentReference', [{ kind: 'reference', param: 'subject', anyOf: [{}] }]),
  ],
  [
    'chain: patient.identifier (logical)',
    () =>
      query('DocumentReference', [
        chainToken('patient', 'Patient', 'identifier', { system: INS_SYSTEM, code: 'ins-a' }),
      ]),
  ],
  [
    'chain: patient.identifier (stored Patient)',
    () =>
      query('DocumentReference', [
        chainToken('patient', 'Patient', 'identifier', { code: 'ins-stored' }),
      ]),
  ],
  [
    'chain: author.family starts-with',
    () => query('DocumentReference', [chainString('starts-with', 'family', 'lefe')]),
  ],
  [
    'chain: author.family exact + author.given',
    () =>
      query('DocumentReference', [
        chainString('exact', 'family', 'Lefèvre'),
        chainString('starts-with', 'given', 'elo'),
      ]),
  ],
  [
    'chain: negated token target',
    () =>
      query('DocumentReference', [
        {
          kind: 'chain',
          param: 'patient',
          targetType: 'Patient',
          target: { kind: 'token', param: 'identifier', negate: true, anyOf: [{ code: 'ins-a' }] },
        },
      ]),
  ],
  ...(['exact', 'below', 'above'] as const).flatMap((match): [string, () => SearchQuery][] => [
    [
      `uri: ${match} hit`,
      () =>
        query('AuditEvent', [{ kind: 'uri', param: 'policy', match, anyOf: [uriValue(match)] }]),
    ],
    [
      `uri: ${match} miss`,
      () =>
        query('AuditEvent', [
          { kind: 'uri', param: 'policy', match, anyOf: [`${fx.base}/nothing`] },
        ]),
    ],
  ]),
  [
    'missing: true',
    () => query('DocumentReference', [{ kind: 'missing', param: 'description', missing: true }]),
  ],
  [
    'missing: false',
    () => query('DocumentReference', [{ kind: 'missing', param: 'description', missing: false }]),
  ],
  ['no filter: every current resource', () => query('DocumentReference', [])],
];

function uriValue(match: 'exact' | 'below' | 'above'): string {
  if (match === 'exact') return `${fx.base}/consent/v1`;
  if (match === 'below') return `${fx.base}/consent`;
  return `${fx.base}/consent/v1/section/2`;
}

function chainToken(
  param: string,
  targetType: string,
  target: string,
  value: { system?: string; code: string },
): SearchFilter {
  return {
    kind: 'chain',
    param,
    targetType,
    target: { kind: 'token', param: target, negate: false, anyOf: [value] },
  };
}

function chainString(match: 'starts-with' | 'exact', target: string, value: string): SearchFilter {
  return {
    kind: 'chain',
    param: 'author',
    targetType: 'Practitioner',
    target: { kind: 'string', param: target, match, anyOf: [value] },
  };
}

function firstId(type: string): string {
  return fx.collections.get(type)?.[0]?._id ?? '';
}

describe('Mongo filter rendering, evaluated with mingo, selects what SQLite selects', () => {
  it.each(cases)('%s', async (_name, build) => {
    const q = build();
    const expected = await sqliteSelect(q);
    expect(mingoSelect(q)).toEqual(expected);
  });

  it('the fixtures make the comparison meaningful (most cases select something, some nothing)', async () => {
    const sizes = await Promise.all(cases.map(([, build]) => sqliteSelect(build())));
    const nonEmpty = sizes.filter((s) => s.length > 0).length;
    expect(nonEmpty).toBeGreaterThan(cases.length * 0.6);
    expect(sizes.some((s) => s.length === 0)).toBe(true);
  });
});
