import { FhirError } from '@dmp/errors';
import type { ResourceStore } from '@dmp/storage';
import { buildDocument, randomId } from './builders';
import { useStore, type ContractHarness } from './harness';

async function caught(promise: Promise<unknown>): Promise<FhirError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw new Error(`expected a FhirError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

export function describeErrorsContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: error kinds`, () => {
    const store = useStore(harness);

    it('an unknown id is a FhirError 404 DMP-RESOURCE-NOT-FOUND for read, update, delete, history', async () => {
      const id = randomId();
      for (const call of [
        store().read('DocumentReference', id),
        store().vread('DocumentReference', id, '1'),
        store().update({ ...buildDocument(), id }),
        store().delete('DocumentReference', id),
        store().history('DocumentReference', id),
      ]) {
        const error = await caught(call);
        expect([error.status, error.code]).toEqual([404, 'DMP-RESOURCE-NOT-FOUND']);
        expect(error.outcome.resourceType).toBe('OperationOutcome');
      }
    });

    it('a deleted resource is a FhirError 410 DMP-RESOURCE-GONE', async () => {
      const created = await store().create(buildDocument());
      await store().delete('DocumentReference', created.id ?? '');
      const error = await caught(store().read('DocumentReference', created.id ?? ''));
      expect([error.status, error.code]).toEqual([410, 'DMP-RESOURCE-GONE']);
    });

    it('a version conflict is a FhirError 412 DMP-RESOURCE-VERSION-CONFLICT', async () => {
      const created = await store().create(buildDocument());
      const error = await caught(store().update(created, { ifMatch: '9' }));
      expect([error.status, error.code]).toEqual([412, 'DMP-RESOURCE-VERSION-CONFLICT']);
    });

    it('a foreign or tampered cursor is a FhirError 400 DMP-SEARCH-INVALID-CURSOR', async () => {
      const error = await caught(
        store().search({
          resourceType: 'DocumentReference',
          filters: [],
          sort: [],
          count: 10,
          total: 'none',
          summaryCount: false,
          cursor: 'bm90LWEtY3Vyc29y',
        }),
      );
      expect([error.status, error.code]).toEqual([400, 'DMP-SEARCH-INVALID-CURSOR']);
    });
  });
}
