import type { ResourceStore } from '@dmp/storage';
import { buildDocument, randomId, randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeTransactionContract(harness: ContractHarness<ResourceStore>): void {
  if (harness.caps?.multiDocTransactions === false) {
    describe.skip(`${harness.name}: transactions (skipped: no multi-document transactions)`, () => {
      it('needs multi-document transactions', () => undefined);
    });
    return;
  }
  describe(`${harness.name}: transactions`, () => {
    const store = useStore(harness);

    it('commits resources, outbox records and blobs together', async () => {
      const topic = randomWord('topic');
      const bytes = Buffer.from(`committed ${randomId()}`);
      const { id, key } = await store().transaction(async (tx) => {
        const blob = await tx.blobs.put(bytes, 'text/plain');
        const doc = await tx.create(buildDocument());
        await tx.outbox.append(topic, { doc: doc.id });
        return { id: doc.id ?? '', key: blob.key };
      });
      await expect(store().read('DocumentReference', id)).resolves.toBeDefined();
      expect(await store().outbox.pending(topic)).toBe(1);
      expect(await store().blobs.stat(key)).toMatchObject({ size: bytes.length });
    });

    it('a throw rolls back everything: no resource, no outbox record, no blob', async () => {
      const topic = randomWord('topic');
      const bytes = Buffer.from(`rolled back ${randomId()}`);
      const filesBefore = harness.listBlobFiles ? await harness.listBlobFiles(store()) : [];
      let id = '';
      let key = '';
      await expect(
        store().transaction(async (tx) => {
          key = (await tx.blobs.put(bytes, 'text/plain')).key;
          id = (await tx.create(buildDocument())).id ?? '';
          await tx.outbox.append(topic, { doc: id });
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      await expect(store().read('DocumentReference', id)).rejects.toMatchObject({ status: 404 });
      expect(await store().outbox.pending(topic)).toBe(0);
      expect(await store().blobs.stat(key)).toBeUndefined();
      if (harness.listBlobFiles) {
        expect((await harness.listBlobFiles(store())).sort()).toEqual(filesBefore.sort());
      }
    });

    /**
     * A transaction that created a DocumentReference and waits, still open, until `release`;
     * `running` settles once it committed.
     */
    async function pausedAfterWrite() {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let markWritten!: (id: string) => void;
      const written = new Promise<string>((resolve) => (markWritten = resolve));
      const running = store().transaction(async (tx) => {
        markWritten((await tx.create(buildDocument())).id ?? '');
        await gate;
      });
      return { created: await written, release, running };
    }

    it('reads outside an open transaction do not see its uncommitted writes', async () => {
      const { created, release, running } = await pausedAfterWrite();
      const outside = store()
        .read('DocumentReference', created)
        .then(
          () => 'found',
          (error: { status?: number }) => String(error.status),
        );
      // The outside read either answers 404 at once (snapshot) or waits for the commit.
      const early = await Promise.race([
        outside,
        new Promise((r) => setTimeout(() => r('waiting'), 50)),
      ]);
      expect(['404', 'waiting']).toContain(early);
      release();
      await running;
      expect(['404', 'found']).toContain(await outside);
      await expect(store().read('DocumentReference', created)).resolves.toBeDefined();
    });

    it('searches outside a transaction see each commit at once, never open or rolled-back writes', async () => {
      const byId = (id: string) =>
        store()
          .search({
            resourceType: 'DocumentReference',
            filters: [{ kind: 'token', param: '_id', negate: false, anyOf: [{ code: id }] }],
            sort: [],
            count: 10,
            total: 'accurate',
            summaryCount: false,
          })
          .then((page) => page.resources.map((r) => r.id));
      // Warm whatever the store caches, then commit: the next search sees the commit.
      const first = (await store().create(buildDocument())).id ?? '';
      expect(await byId(first)).toEqual([first]);
      const second = (await store().create(buildDocument())).id ?? '';
      expect(await byId(second)).toEqual([second]);
      // A transaction paused after its write: searches outside see nothing of it yet.
      const { created, release, running } = await pausedAfterWrite();
      const outside = byId(created);
      const early = await Promise.race([
        outside,
        new Promise((r) => setTimeout(() => r('waiting'), 50)),
      ]);
      expect([[], 'waiting']).toContainEqual(early);
      release();
      await running;
      expect(await byId(created)).toEqual([created]);
      // A rolled-back write is never seen, and the store answers normally afterwards.
      let rolledBack = '';
      await expect(
        store().transaction(async (tx) => {
          rolledBack = (await tx.create(buildDocument())).id ?? '';
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      expect(await byId(rolledBack)).toEqual([]);
      await expect(store().read('DocumentReference', rolledBack)).rejects.toMatchObject({
        status: 404,
      });
      await expect(store().read('DocumentReference', created)).resolves.toBeDefined();
    });

    const serialized = harness.caps?.serializedTransactions === false ? it.skip : it;
    serialized('transactions are serialized: concurrent ones never interleave', async () => {
      const order: string[] = [];
      const work = (name: string) =>
        store().transaction(async (tx) => {
          order.push(`${name}:start`);
          await tx.create(buildDocument());
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(`${name}:end`);
        });
      await Promise.all([work('a'), work('b'), work('c')]);
      for (let i = 0; i < order.length; i += 2) {
        expect(order[i]?.split(':')[0]).toBe(order[i + 1]?.split(':')[0]);
      }
    });

    it('concurrent read-modify-write transactions on one resource lose no update', async () => {
      const created = await store().create(buildDocument({ description: '' }));
      const id = created.id ?? '';
      await Promise.all(
        ['a', 'b', 'c', 'd'].map((mark) =>
          store().transaction(async (tx) => {
            const current = await tx.read<typeof created>('DocumentReference', id);
            await tx.update({ ...current, description: `${current.description ?? ''}${mark}` });
          }),
        ),
      );
      const final = await store().read<typeof created>('DocumentReference', id);
      expect([...(final.description ?? '')].sort().join('')).toBe('abcd');
      expect(final.meta?.versionId).toBe('5');
    });

    it('a failed If-Match inside a transaction rolls back the earlier writes', async () => {
      const existing = await store().create(buildDocument());
      let created = '';
      await expect(
        store().transaction(async (tx) => {
          created = (await tx.create(buildDocument())).id ?? '';
          await tx.update(existing, { ifMatch: '5' });
        }),
      ).rejects.toMatchObject({ status: 412 });
      await expect(store().read('DocumentReference', created)).rejects.toMatchObject({
        status: 404,
      });
    });

    it('using the transaction after it finished is refused', async () => {
      let leaked: Parameters<Parameters<ResourceStore['transaction']>[0]>[0] | undefined;
      await store().transaction((tx) => {
        leaked = tx;
        return Promise.resolve();
      });
      await expect(leaked?.create(buildDocument())).rejects.toThrow();
    });
  });
}
