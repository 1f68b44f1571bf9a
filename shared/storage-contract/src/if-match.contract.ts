import type { ResourceStore } from '@dmp/storage';
import { buildDocument } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeIfMatchContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: If-Match (optimistic locking)`, () => {
    const store = useStore(harness);

    it('update with the current versionId succeeds', async () => {
      const v1 = await store().create(buildDocument());
      const v2 = await store().update({ ...v1, status: 'superseded' }, { ifMatch: '1' });
      expect(v2.meta?.versionId).toBe('2');
    });

    it('update with a stale versionId is a 412 and changes nothing', async () => {
      const v1 = await store().create(buildDocument());
      await store().update({ ...v1, status: 'superseded' });
      await expect(
        store().update({ ...v1, status: 'entered-in-error' }, { ifMatch: '1' }),
      ).rejects.toMatchObject({ status: 412, code: 'DMP-RESOURCE-VERSION-CONFLICT' });
      const read = await store().read('DocumentReference', v1.id ?? '');
      expect(read.meta?.versionId).toBe('2');
    });

    it('delete with a stale versionId is a 412 and the resource stays readable', async () => {
      const v1 = await store().create(buildDocument());
      await store().update({ ...v1, status: 'superseded' });
      await expect(
        store().delete('DocumentReference', v1.id ?? '', { ifMatch: '1' }),
      ).rejects.toMatchObject({ status: 412 });
      await expect(store().read('DocumentReference', v1.id ?? '')).resolves.toBeDefined();
    });

    it('of two concurrent updates with the same If-Match, exactly one wins', async () => {
      const v1 = await store().create(buildDocument());
      const results = await Promise.allSettled([
        store().update({ ...v1, status: 'superseded' }, { ifMatch: '1' }),
        store().update({ ...v1, status: 'entered-in-error' }, { ifMatch: '1' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    });
  });
}
