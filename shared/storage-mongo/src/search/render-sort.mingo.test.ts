import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Query } from 'mingo';
import type { SearchQuery, SortKey } from '@dmp/fhir';
import { patientFilter, query } from '@dmp/storage-contract';
import type { ResourceDoc } from '../documents';
import { renderSearchFilter, type MongoFilter } from './render-filter';
import { renderKeyset, renderSort, sortFields, sortValues } from './render-sort';
import { indexer, seedFixtures, type SearchFixtures } from './search-fixtures';
import { validateFilter } from './validate-filter';

/**
 * Sort and keyset paging: walking the mingo-evaluated pages (sort spec + keyset filter rendered
 * for each next page) yields exactly the order SQLite's paging yields, with no repeat or skip.
 */

let fx: SearchFixtures;
const blobDir = mkdtempSync(path.join(os.tmpdir(), 'dmp-mingo-sort-'));

beforeAll(async () => {
  fx = await seedFixtures(blobDir);
});
afterAll(async () => {
  await fx.store.close();
  rmSync(blobDir, { recursive: true, force: true });
});

async function sqlitePages(q: SearchQuery): Promise<string[]> {
  const out: string[] = [];
  let page = await fx.store.search(q);
  out.push(...page.resources.map((r) => r.id ?? ''));
  while (page.nextCursor) {
    page = await fx.store.search({ ...q, cursor: page.nextCursor });
    out.push(...page.resources.map((r) => r.id ?? ''));
  }
  return out;
}

function mingoPages(q: SearchQuery): string[] {
  const fields = sortFields(q.sort);
  const spec = renderSort(fields);
  const base = renderSearchFilter(q, { indexer, now: fx.now });
  const docs = fx.collections.get(q.resourceType) ?? [];
  const out: string[] = [];
  let position: { keys: string[]; id: string } | undefined;
  for (;;) {
    const filter: MongoFilter = position ? { $and: [base, renderKeyset(fields, position)] } : base;
    validateFilter(filter);
    const page = new Query(filter, {})
      .find<ResourceDoc>(docs)
      .sort(Object.fromEntries(spec))
      .limit(q.count + 1)
      .all();
    const visible = page.slice(0, q.count);
    out.push(...visible.map((d) => d._id));
    const last = visible[visible.length - 1];
    if (page.length <= q.count || !last) return out;
    position = { keys: sortValues(fields, last), id: last._id };
  }
}

const sorts: [string, SortKey[]][] = [
  ['default (newest _lastUpdated first)', []],
  ['date descending', [{ param: 'date', descending: true }]],
  ['date ascending', [{ param: 'date', descending: false }]],
  ['_id ascending', [{ param: '_id', descending: false }]],
  ['_id descending', [{ param: '_id', descending: true }]],
  ['_lastUpdated ascending', [{ param: '_lastUpdated', descending: false }]],
  ['description descending (missing last)', [{ param: 'description', descending: true }]],
  ['description ascending (missing last)', [{ param: 'description', descending: false }]],
  [
    'period ascending then date descending',
    [
      { param: 'period', descending: false },
      { param: 'date', descending: true },
    ],
  ],
  [
    'status then _id',
    [
      { param: 'status', descending: false },
      { param: '_id', descending: true },
    ],
  ],
];

describe('Mongo sort and keyset rendering, evaluated with mingo, pages as SQLite does', () => {
  it.each(sorts)('%s, 2 per page, every DocumentReference', async (_name, sort) => {
    const q = query('DocumentReference', [], { sort, count: 2 });
    const expected = await sqlitePages(q);
    expect(expected.length).toBeGreaterThan(5);
    expect(mingoPages(q)).toEqual(expected);
  });

  it.each(sorts)('%s, 1 per page, one patient', async (_name, sort) => {
    const q = query('DocumentReference', [patientFilter(fx.patientIds.other)], { sort, count: 1 });
    expect(mingoPages(q)).toEqual(await sqlitePages(q));
  });

  it('documents inserted between page fetches cause no repeat and no skip', () => {
    const q = query('DocumentReference', [], {
      sort: [{ param: 'date', descending: false }],
      count: 2,
    });
    const fields = sortFields(q.sort);
    const base = renderSearchFilter(q, { indexer, now: fx.now });
    const docs = [...(fx.collections.get('DocumentReference') ?? [])];
    const original = new Set(docs.filter((d) => !d.del).map((d) => d._id));
    const template = docs.find((d) => !d.del);
    if (!template) throw new Error('no fixture');
    const seen: ResourceDoc[] = [];
    let position: { keys: string[]; id: string } | undefined;
    for (let round = 0; round < 50; round += 1) {
      const filter: MongoFilter = position
        ? { $and: [base, renderKeyset(fields, position)] }
        : base;
      const page = new Query(filter, {})
        .find<ResourceDoc>(docs)
        .sort(Object.fromEntries(renderSort(fields)))
        .limit(3)
        .all();
      seen.push(...page.slice(0, 2));
      const last = page.slice(0, 2).pop();
      if (page.length <= 2 || !last) break;
      position = { keys: sortValues(fields, last), id: last._id };
      // One document sorting before the cursor (never seen) and one after it (seen once).
      for (const key of ['0000', '9999']) {
        docs.push({
          ...template,
          _id: `new-${round}-${key}`,
          srt: { ...template.srt, date: { a: key, d: key } },
        });
      }
    }
    const ids = seen.map((d) => d._id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => original.has(id)).sort()).toEqual([...original].sort());
    const keys = seen.map((d) => d.srt.date?.a ?? '');
    expect(keys).toEqual([...keys].sort());
  });

  it('renders the sort as ordered pairs with the _id tie-breaker in the last key direction', () => {
    expect(renderSort(sortFields([]))).toEqual([
      ['ts', -1],
      ['_id', -1],
    ]);
    expect(renderSort(sortFields([{ param: 'date', descending: false }]))).toEqual([
      ['srt.date.a', 1],
      ['_id', 1],
    ]);
    expect(renderSort(sortFields([{ param: '_id', descending: true }]))).toEqual([['_id', -1]]);
  });

  it('renders the keyset as "strictly after" the last row', () => {
    const fields = sortFields([{ param: 'date', descending: true }]);
    expect(renderKeyset(fields, { keys: ['2024'], id: 'x' })).toEqual({
      $or: [
        { 'srt.date.d': { $not: { $gte: '2024' } } },
        { 'srt.date.d': '2024', _id: { $lt: 'x' } },
      ],
    });
  });
});

describe('paging on a sort key some documents lack (parameter added after they were written)', () => {
  it.each([false, true])(
    'descending %s: every document once, in one consistent order, across pages',
    (descending) => {
      const docs = (fx.collections.get('DocumentReference') ?? [])
        .filter((d) => !d.del)
        .map((d, i) => {
          // Every third document was written before `date` was a sort key: no `srt.date`.
          if (i % 3 !== 0) return d;
          const { date: _dropped, ...others } = d.srt;
          return { ...d, srt: others };
        });
      expect(docs.some((d) => d.srt.date === undefined)).toBe(true);
      const fields = sortFields([{ param: 'date', descending }]);
      const sort = Object.fromEntries(renderSort(fields));
      const whole = new Query({}, {})
        .find<ResourceDoc>(docs)
        .sort(sort)
        .all()
        .map((d) => d._id);
      const paged: string[] = [];
      let position: { keys: string[]; id: string } | undefined;
      for (let round = 0; round < 100; round += 1) {
        const filter: MongoFilter = position ? renderKeyset(fields, position) : {};
        validateFilter(filter);
        const page = new Query(filter, {}).find<ResourceDoc>(docs).sort(sort).limit(3).all();
        paged.push(...page.slice(0, 2).map((d) => d._id));
        const last = page.slice(0, 2).pop();
        if (page.length <= 2 || !last) break;
        position = { keys: sortValues(fields, last), id: last._id };
      }
      expect(paged).toEqual(whole);
    },
  );
});
