import type { DocumentReference } from 'fhir/r4';
import type { ResourceStore } from '@dmp/storage';
import { buildDocument } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeHistoryContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: history and vread`, () => {
    const store = useStore(harness);

    it('history lists every version newest first and vread returns each of them', async () => {
      const v1 = await store().create(buildDocument({ status: 'current' }));
      const v2 = await store().update({ ...v1, status: 'superseded' });
      const v3 = await store().update({ ...v2, status: 'entered-in-error' });
      const history = await store().history<DocumentReference>('DocumentReference', v1.id ?? '');
      expect(history.map((h) => h.meta?.versionId)).toEqual(['3', '2', '1']);
      for (const version of [v1, v2, v3]) {
        const read = await store().vread<DocumentReference>(
          'DocumentReference',
          v1.id ?? '',
          version.meta?.versionId ?? '',
        );
        expect(read).toEqual(version);
      }
    });

    it('history honours count and leaves out the deletion tombstone', async () => {
      const v1 = await store().create(buildDocument());
      await store().update({ ...v1, status: 'superseded' });
      await store().delete('DocumentReference', v1.id ?? '');
      const all = await store().history('DocumentReference', v1.id ?? '');
      expect(all.map((h) => h.meta?.versionId)).toEqual(['2', '1']);
      const one = await store().history('DocumentReference', v1.id ?? '', { count: 1 });
      expect(one.map((h) => h.meta?.versionId)).toEqual(['2']);
    });

    it('vread of a version that never existed is a version-not-found 404', async () => {
      const v1 = await store().create(buildDocument());
      await expect(store().vread('DocumentReference', v1.id ?? '', '7')).rejects.toMatchObject({
        status: 404,
        code: 'DMP-RESOURCE-VERSION-NOT-FOUND',
      });
    });
  });
}
