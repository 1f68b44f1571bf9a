import type { DocumentReference } from 'fhir/r4';
import type { SearchQuery } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { buildDocument, ids, patientFilter, query, randomId } from './builders';
import { useStore, type ContractHarness } from './harness';

const dayOf = (n: number): string => `2024-01-${String(n).padStart(2, '0')}T12:00:00Z`;

export function describeSortPagingContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: sort and paging`, () => {
    const store = useStore(harness);

    async function collect(first: SearchQuery, between?: () => Promise<void>) {
      const seen: DocumentReference[] = [];
      let page = await store().search<DocumentReference>(first);
      seen.push(...page.resources);
      while (page.nextCursor) {
        if (between) await between();
        page = await store().search<DocumentReference>({ ...first, cursor: page.nextCursor });
        seen.push(...page.resources);
      }
      return seen;
    }

    it('sorts by date descending and ascending across pages with an accurate total', async () => {
      const patientId = randomId();
      for (const day of [3, 1, 5, 2, 4]) {
        await store().create(buildDocument({ patientId, date: dayOf(day) }));
      }
      const desc = query('DocumentReference', [patientFilter(patientId)], {
        sort: [{ param: 'date', descending: true }],
        count: 2,
      });
      const first = await store().search(desc);
      expect(first.total).toBe(5);
      expect(first.resources).toHaveLength(2);
      const all = await collect(desc);
      expect(all.map((d) => d.date)).toEqual([5, 4, 3, 2, 1].map(dayOf));
      const asc = await collect({ ...desc, sort: [{ param: 'date', descending: false }] });
      expect(asc.map((d) => d.date)).toEqual([1, 2, 3, 4, 5].map(dayOf));
    });

    it('default order is newest lastUpdated first; the last page has no next cursor', async () => {
      const patientId = randomId();
      const created: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        created.push((await store().create(buildDocument({ patientId }))).id ?? '');
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const page = await store().search(query('DocumentReference', [patientFilter(patientId)]));
      expect(page.resources.map((r) => r.id)).toEqual([...created].reverse());
      expect(page.nextCursor).toBeUndefined();
    });

    it('rows inserted between page fetches cause no repeat and no skip', async () => {
      const patientId = randomId();
      const original: string[] = [];
      for (let day = 2; day <= 20; day += 2) {
        original.push(
          (await store().create(buildDocument({ patientId, date: dayOf(day) }))).id ?? '',
        );
      }
      let next = 1;
      const insert = async () => {
        // One row behind the cursor (never seen) and one ahead (seen once, in order).
        await store().create(buildDocument({ patientId, date: dayOf(next) }));
        await store().create(buildDocument({ patientId, date: dayOf(30 - next) }));
        next += 2;
      };
      const seen = await collect(
        query('DocumentReference', [patientFilter(patientId)], {
          sort: [{ param: 'date', descending: false }],
          count: 3,
        }),
        insert,
      );
      const seenIds = seen.map((d) => d.id ?? '');
      expect(new Set(seenIds).size).toBe(seenIds.length);
      expect(seenIds.filter((id) => original.includes(id)).sort()).toEqual([...original].sort());
      const dates = seen.map((d) => d.date ?? '');
      expect(dates).toEqual([...dates].sort());
    });

    it('sorts by _id and by a string parameter', async () => {
      const patientId = randomId();
      for (const description of ['b', 'c', 'a']) {
        await store().create(buildDocument({ patientId, description }));
      }
      const byId = await store().search(
        query('DocumentReference', [patientFilter(patientId)], {
          sort: [{ param: '_id', descending: false }],
        }),
      );
      expect(byId.resources.map((r) => r.id)).toEqual(ids(byId.resources));
      const byText = await collect(
        query('DocumentReference', [patientFilter(patientId)], {
          sort: [{ param: 'description', descending: true }],
          count: 1,
        }),
      );
      expect(byText.map((d) => d.description)).toEqual(['c', 'b', 'a']);
    });

    it('summaryCount returns only the total; total none leaves it out', async () => {
      const patientId = randomId();
      await store().create(buildDocument({ patientId }));
      await store().create(buildDocument({ patientId }));
      const count = await store().search(
        query('DocumentReference', [patientFilter(patientId)], { summaryCount: true, count: 0 }),
      );
      expect(count).toEqual({ resources: [], total: 2 });
      const none = await store().search({
        ...query('DocumentReference', [patientFilter(patientId)]),
        total: 'none',
      });
      expect(none.total).toBeUndefined();
      expect(none.resources).toHaveLength(2);
    });

    it('counts every match whether the page holds them all, exactly, or not', async () => {
      const patientId = randomId();
      for (let i = 0; i < 3; i += 1) await store().create(buildDocument({ patientId }));
      for (const count of [5, 3, 2, 1]) {
        const page = await store().search(
          query('DocumentReference', [patientFilter(patientId)], { count }),
        );
        expect(page.total).toBe(3);
        expect(page.resources).toHaveLength(Math.min(count, 3));
        expect(page.nextCursor !== undefined).toBe(count < 3);
      }
      const first = await store().search(
        query('DocumentReference', [patientFilter(patientId)], { count: 2 }),
      );
      const last = await store().search(
        query('DocumentReference', [patientFilter(patientId)], {
          count: 2,
          cursor: first.nextCursor,
        }),
      );
      expect(last).toMatchObject({ total: 3, resources: [expect.anything()] });
    });

    it('a cursor from one query is refused by another', async () => {
      const patientId = randomId();
      for (let i = 0; i < 3; i += 1) await store().create(buildDocument({ patientId }));
      const first = await store().search(
        query('DocumentReference', [patientFilter(patientId)], { count: 1 }),
      );
      expect(first.nextCursor).toBeDefined();
      await expect(
        store().search(
          query('DocumentReference', [patientFilter(randomId())], {
            count: 1,
            cursor: first.nextCursor,
          }),
        ),
      ).rejects.toMatchObject({ code: 'DMP-SEARCH-INVALID-CURSOR', status: 400 });
    });
  });
}
