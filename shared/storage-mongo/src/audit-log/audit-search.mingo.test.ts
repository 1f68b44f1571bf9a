import { Query } from 'mingo';
import type { AuditEvent } from 'fhir/r4';
import { SEARCH_PARAMETERS, type SearchFilter, type SearchQuery, type SortKey } from '@dmp/fhir';
import { ChainVerifier, createIndexer, type AuditLog } from '@dmp/storage';
import { buildAuditEvent, query } from '@dmp/storage-contract';
import { openSqliteAuditLog } from '@dmp/storage-sqlite';
import { renderSearchFilter, type MongoFilter } from '../search/render-filter';
import { renderKeyset, renderSort, sortFields, sortValues } from '../search/render-sort';
import { validateFilter } from '../search/validate-filter';
import { AUDIT_LAYOUT, toAuditDoc, toAuditRecord, type AuditDoc } from './audit-docs';

/**
 * The audit log documents, built from what the SQLite audit log stored (same sequence, hashes,
 * JSON), verify as a chain; and ITI-81 searches rendered for `audit_log`, evaluated with mingo,
 * select and page exactly as the SQLite audit log does.
 */
const indexer = createIndexer({ AuditEvent: SEARCH_PARAMETERS.AuditEvent ?? [] });
const NOW = new Date('2026-01-01T00:00:00Z');
let log: AuditLog;
const docs: AuditDoc[] = [];

function event(i: number): AuditEvent {
  const base = buildAuditEvent(`https://policy.example.org/p${i % 3}`);
  return {
    ...base,
    recorded: `2025-12-${String(10 + (i % 7)).padStart(2, '0')}T10:00:00Z`,
    agent: [
      {
        requestor: true,
        who: { reference: `Practitioner/pr${i % 2}`, display: `Dr ${i % 4}` },
        name: `Nom${i % 4}`,
        policy: [`https://policy.example.org/p${i % 3}`],
      },
    ],
    entity: [
      { what: { reference: i % 2 === 0 ? `Patient/p${i % 3}` : `DocumentReference/d${i}` } },
    ],
  };
}

beforeAll(async () => {
  log = openSqliteAuditLog({
    file: ':memory:',
    searchParameters: SEARCH_PARAMETERS,
    now: () => NOW,
  });
  await log.append(Array.from({ length: 12 }, (_, i) => event(i)));
  for await (const record of log.scan()) {
    const stored = JSON.parse(record.json) as AuditEvent;
    docs.push(
      toAuditDoc(
        stored,
        record,
        indexer.extract(stored),
        { AuditEvent: SEARCH_PARAMETERS.AuditEvent ?? [] },
        NOW,
      ),
    );
  }
});
afterAll(() => log.close());

const LAYOUT = { base: {}, idField: 'id' };

function mingoPages(q: SearchQuery): string[] {
  const fields = sortFields(q.sort, AUDIT_LAYOUT);
  const filter = renderSearchFilter(q, { indexer, now: NOW }, new Map(), LAYOUT);
  const out: string[] = [];
  let position: { keys: string[]; id: string } | undefined;
  for (;;) {
    const paged: MongoFilter = position
      ? { $and: [filter, renderKeyset(fields, position, AUDIT_LAYOUT)] }
      : filter;
    validateFilter(paged);
    const page = new Query(paged, {})
      .find<AuditDoc>(docs)
      .sort(Object.fromEntries(renderSort(fields, AUDIT_LAYOUT)))
      .limit(q.count + 1)
      .all();
    const visible = page.slice(0, q.count);
    out.push(...visible.map((d) => d.id));
    const last = visible[visible.length - 1];
    if (page.length <= q.count || !last) return out;
    position = { keys: sortValues(fields, last), id: last.sk };
  }
}

async function sqlitePages(q: SearchQuery): Promise<string[]> {
  const out: string[] = [];
  let page = await log.search(q);
  out.push(...page.resources.map((r) => r.id ?? ''));
  while (page.nextCursor) {
    page = await log.search({ ...q, cursor: page.nextCursor });
    out.push(...page.resources.map((r) => r.id ?? ''));
  }
  return out;
}

const ref = (param: string, value: { type?: string; id: string }): SearchFilter => ({
  kind: 'reference',
  param,
  anyOf: [value],
});

const searches: [string, SearchFilter[], SortKey[]][] = [
  ['everything, default order', [], []],
  ['patient', [ref('patient', { type: 'Patient', id: 'p0' })], []],
  ['entity by bare id (no target types)', [ref('entity', { id: 'd3' })], []],
  [
    'agent by reference',
    [ref('agent', { type: 'Practitioner', id: 'pr1' })],
    [{ param: 'date', descending: false }],
  ],
  [
    'agent-name starts-with',
    [{ kind: 'string', param: 'agent-name', match: 'starts-with', anyOf: ['nom1'] }],
    [],
  ],
  [
    'date ge',
    [
      {
        kind: 'date',
        param: 'date',
        anyOf: [
          { prefix: 'ge', low: '2025-12-13T00:00:00.000Z', high: '2025-12-14T00:00:00.000Z' },
        ],
      },
    ],
    [],
  ],
  [
    'policy below',
    [{ kind: 'uri', param: 'policy', match: 'below', anyOf: ['https://policy.example.org/p1'] }],
    [],
  ],
  ['_id', [{ kind: 'token', param: '_id', negate: false, anyOf: [{ code: 'none' }] }], []],
  ['sorted by _lastUpdated descending', [], [{ param: '_lastUpdated', descending: true }]],
  [
    'sorted by agent-name then date',
    [],
    [
      { param: 'agent-name', descending: false },
      { param: 'date', descending: true },
    ],
  ],
];

describe('Mongo audit log documents', () => {
  it('carry the sequence, hashes and JSON so that the chain verifies', () => {
    const verifier = new ChainVerifier();
    for (const doc of docs) expect(verifier.next(toAuditRecord(doc))).toBeUndefined();
    expect(verifier.verified).toBe(12);
    expect(docs[0]).toMatchObject({
      _id: 1,
      sk: '00000000000000000001',
      recorded: '2025-12-10T10:00:00.000Z',
    });
  });
});

describe('ITI-81 rendering on audit_log, evaluated with mingo, pages as the SQLite audit log', () => {
  it.each(searches)('%s', async (name, filters, sort) => {
    const q = query('AuditEvent', filters, { sort, count: 3 });
    const expected = await sqlitePages(q);
    expect(expected.length > 0 || name === '_id').toBe(true);
    expect(mingoPages(q)).toEqual(expected);
  });
});
