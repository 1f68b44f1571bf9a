import type { DatePrefix } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { buildDocument, ids, patientFilter, query, randomId } from './builders';
import { useStore, type ContractHarness } from './harness';

/** The value `2024-03-05` as the parser gives it: the whole UTC day. */
const DAY = { low: '2024-03-05T00:00:00.000Z', high: '2024-03-06T00:00:00.000Z' };

export function describeSearchDateContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: date search`, () => {
    const store = useStore(harness);

    async function seed() {
      const patientId = randomId();
      const before = await store().create(
        buildDocument({ patientId, date: '2024-03-04T23:00:00Z' }),
      );
      const inside = await store().create(
        buildDocument({ patientId, date: '2024-03-05T10:00:00+01:00' }),
      );
      const after = await store().create(
        buildDocument({ patientId, date: '2024-03-06T00:00:00Z' }),
      );
      const search = async (prefix: DatePrefix, range = DAY) =>
        ids(
          (
            await store().search(
              query('DocumentReference', [
                patientFilter(patientId),
                { kind: 'date', param: 'date', anyOf: [{ prefix, ...range }] },
              ]),
            )
          ).resources,
        );
      return { before: before.id, inside: inside.id, after: after.id, search };
    }

    it('eq, ne, gt, lt, ge, le compare the resource instant with the value range', async () => {
      const { before, inside, after, search } = await seed();
      expect(await search('eq')).toEqual([inside]);
      expect(await search('ne')).toEqual([before, after].sort());
      expect(await search('gt')).toEqual([after]);
      expect(await search('lt')).toEqual([before]);
      expect(await search('ge')).toEqual([inside, after].sort());
      expect(await search('le')).toEqual([before, inside].sort());
    });

    it('sa and eb mean starts after / ends before the value range', async () => {
      const { before, after, search } = await seed();
      expect(await search('sa')).toEqual([after]);
      expect(await search('eb')).toEqual([before]);
    });

    it('ap matches values close to the given one', async () => {
      const { before, inside, after, search } = await seed();
      expect(await search('ap')).toEqual([before, inside, after].sort());
      const far = { low: '1990-01-01T00:00:00.000Z', high: '1990-01-02T00:00:00.000Z' };
      expect(await search('ap', far)).toEqual([]);
    });

    it('a Period matches as a range; an open end extends to the end of time', async () => {
      const patientId = randomId();
      const closed = await store().create(
        buildDocument({ patientId, period: { start: '2024-01-10', end: '2024-01-20' } }),
      );
      const open = await store().create(
        buildDocument({ patientId, period: { start: '2024-01-15' } }),
      );
      const search = async (prefix: DatePrefix, low: string, high: string) =>
        ids(
          (
            await store().search(
              query('DocumentReference', [
                patientFilter(patientId),
                { kind: 'date', param: 'period', anyOf: [{ prefix, low, high }] },
              ]),
            )
          ).resources,
        );
      const january = ['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z'] as const;
      expect(await search('eq', ...january)).toEqual([closed.id]);
      expect(await search('gt', ...january)).toEqual([open.id]);
      expect(await search('ge', '2024-01-18T00:00:00.000Z', '2024-01-19T00:00:00.000Z')).toEqual(
        [closed.id, open.id].sort(),
      );
      expect(await search('lt', '2024-01-12T00:00:00.000Z', '2024-01-13T00:00:00.000Z')).toEqual([
        closed.id,
      ]);
    });

    it('_lastUpdated filters on the store-assigned time', async () => {
      const created = await store().create(buildDocument());
      const at = created.meta?.lastUpdated ?? '';
      const page = await store().search(
        query('DocumentReference', [
          { kind: 'token', param: '_id', negate: false, anyOf: [{ code: created.id }] },
          {
            kind: 'date',
            param: '_lastUpdated',
            anyOf: [{ prefix: 'ge', low: at, high: new Date(Date.parse(at) + 1).toISOString() }],
          },
        ]),
      );
      expect(page.total).toBe(1);
    });

    it('_lastUpdated reads every prefix on the millisecond the store assigned', async () => {
      const created = await store().create(buildDocument());
      const t = Date.parse(created.meta?.lastUpdated ?? '');
      const ms = (offset: number) => new Date(t + offset).toISOString();
      const found = async (prefix: DatePrefix, from: number) => {
        const page = await store().search(
          query('DocumentReference', [
            { kind: 'token', param: '_id', negate: false, anyOf: [{ code: created.id }] },
            {
              kind: 'date',
              param: '_lastUpdated',
              anyOf: [{ prefix, low: ms(from), high: ms(from + 1) }],
            },
          ]),
        );
        return page.total === 1;
      };
      const cases: [DatePrefix, number, boolean][] = [
        ['eq', 0, true],
        ['eq', 1, false],
        ['ne', 0, false],
        ['ne', -1, true],
        ['gt', -1, true],
        ['gt', 0, false],
        ['lt', 1, true],
        ['lt', 0, false],
        ['ge', 0, true],
        ['ge', 1, false],
        ['le', 0, true],
        ['le', -1, false],
        ['sa', -1, true],
        ['sa', 0, false],
        ['eb', 1, true],
        ['eb', 0, false],
        ['ap', 0, true],
      ];
      const answers = [];
      for (const [prefix, from] of cases) answers.push([prefix, from, await found(prefix, from)]);
      expect(answers).toEqual(cases);
    });
  });
}
