import { randomUUID } from 'node:crypto';
import type { DocumentReference } from 'fhir/r4';
import { buildDocument } from './builders';
import { useStore, type ContractHarness } from './harness';
import type { ResourceStore } from '@dmp/storage';

export function describeCrudContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: create, read, update, delete`, () => {
    const store = useStore(harness);

    it('create assigns a fresh id, versionId 1 and lastUpdated, ignoring a client id', async () => {
      const before = Date.now();
      const created = await store().create({ ...buildDocument(), id: 'client-chosen' });
      expect(created.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
      expect(created.id).not.toBe('client-chosen');
      expect(created.meta?.versionId).toBe('1');
      expect(Date.parse(created.meta?.lastUpdated ?? '')).toBeGreaterThanOrEqual(before - 1000);
    });

    it('create stores under an id the service assigned, version 1; that id again: 409', async () => {
      const id = randomUUID();
      const created = await store().create(buildDocument(), { id });
      expect(created.id).toBe(id);
      expect(created.meta?.versionId).toBe('1');
      expect(await store().read('DocumentReference', id)).toEqual(created);
      await expect(store().create(buildDocument(), { id })).rejects.toMatchObject({
        status: 409,
        code: 'DMP-RESOURCE-DUPLICATE',
      });
      expect((await store().history('DocumentReference', id)).length).toBe(1);
    });

    it('read returns exactly what create returned', async () => {
      const created = await store().create(buildDocument({ description: 'Compte rendu à relire' }));
      const read = await store().read<DocumentReference>('DocumentReference', created.id ?? '');
      expect(read).toEqual(created);
    });

    it('update stores a new version with versionId 2 and the new content', async () => {
      const created = await store().create(buildDocument());
      const updated = await store().update({ ...created, status: 'superseded' });
      expect(updated.meta?.versionId).toBe('2');
      const read = await store().read<DocumentReference>('DocumentReference', created.id ?? '');
      expect(read.status).toBe('superseded');
      expect(read.meta?.versionId).toBe('2');
    });

    it('after delete, read answers Gone and search no longer finds the resource', async () => {
      const created = await store().create(buildDocument());
      await store().delete('DocumentReference', created.id ?? '');
      await expect(store().read('DocumentReference', created.id ?? '')).rejects.toMatchObject({
        status: 410,
        code: 'DMP-RESOURCE-GONE',
      });
      const page = await store().search({
        resourceType: 'DocumentReference',
        filters: [{ kind: 'token', param: '_id', negate: false, anyOf: [{ code: created.id }] }],
        sort: [],
        count: 10,
        total: 'accurate',
        summaryCount: false,
      });
      expect(page.total).toBe(0);
    });

    it('deleting an already deleted resource is a no-op', async () => {
      const created = await store().create(buildDocument());
      await store().delete('DocumentReference', created.id ?? '');
      await expect(store().delete('DocumentReference', created.id ?? '')).resolves.toBeUndefined();
    });

    it('ping answers while the store is open', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}
