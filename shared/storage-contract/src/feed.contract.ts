import type { ResourceStore } from '@dmp/storage';
import { buildDocument, randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The change feed: sequence numbers come from the database (gapless, across handles, an entry
 * readable only with every lower number), an entry commits and rolls back with its transaction
 * and is numbered before the next read, and followers' leases are seen by every handle on the
 * database.
 */
export function describeFeedContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: change feed`, () => {
    const store = useStore(harness);
    const append = (on: ResourceStore, payload: unknown) =>
      on.transaction((tx) => tx.feed.append(payload));

    it('an entry committed on one handle is numbered by the next read or head on another', async () => {
      if (!harness.openPeer) return;
      const peer = await harness.openPeer(store());
      try {
        const head = await peer.feed.head();
        await append(store(), { patient: 'seen by the peer' });
        expect((await peer.feed.read(head, 10)).map((e) => [e.seq, e.payload])).toEqual([
          [head + 1, { patient: 'seen by the peer' }],
        ]);
        await append(store(), { patient: 'again' });
        expect(await peer.feed.head()).toBe(head + 2);
      } finally {
        await peer.close();
      }
    });

    it('numbers entries head + 1, head + 2… and reads them back in order, from any point', async () => {
      const head = await store().feed.head();
      await append(store(), { patient: 'a' });
      await append(store(), { patient: 'b' });
      expect(await store().feed.head()).toBe(head + 2);
      const read = await store().feed.read(head, 10);
      expect(read.map((e) => [e.seq, e.payload])).toEqual([
        [head + 1, { patient: 'a' }],
        [head + 2, { patient: 'b' }],
      ]);
      expect(read.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
      expect((await store().feed.read(head + 1, 10)).map((e) => e.seq)).toEqual([head + 2]);
      expect((await store().feed.read(head, 1)).map((e) => e.seq)).toEqual([head + 1]);
      expect(await store().feed.read(head + 2, 10)).toEqual([]);
    });

    it('an entry commits with the data of its transaction; a rollback leaves neither, nor a gap', async () => {
      const head = await store().feed.head();
      let created = '';
      await expect(
        store().transaction(async (tx) => {
          created = (await tx.create(buildDocument())).id ?? '';
          await tx.feed.append({ patient: 'rolled back' });
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      await expect(store().read('DocumentReference', created)).rejects.toMatchObject({
        status: 404,
      });
      expect(await store().feed.head()).toBe(head);
      expect(await store().feed.read(head, 10)).toEqual([]);
      const id = await store().transaction(async (tx) => {
        const created = await tx.create(buildDocument());
        await tx.feed.append({ patient: 'kept' });
        return created.id ?? '';
      });
      expect(await store().feed.head()).toBe(head + 1);
      expect((await store().feed.read(head, 10)).map((e) => e.payload)).toEqual([
        { patient: 'kept' },
      ]);
      expect((await store().read('DocumentReference', id)).id).toBe(id);
    });

    it('concurrent appends on two handles get distinct gapless numbers, and a reader only ever sees a prefix', async () => {
      const peer = harness.openPeer ? await harness.openPeer(store()) : store();
      try {
        const head = await store().feed.head();
        const prefixes: number[][] = [];
        let writing = true;
        const reader = (async () => {
          while (writing) {
            prefixes.push((await store().feed.read(head, 100)).map((e) => e.seq));
            await pause(1);
          }
        })();
        await Promise.all(
          Array.from({ length: 12 }, (_, n) => append(n % 2 === 0 ? store() : peer, { n })),
        );
        writing = false;
        await reader;
        const expected = Array.from({ length: 12 }, (_, n) => head + 1 + n);
        expect(await store().feed.head()).toBe(head + 12);
        for (const seen of prefixes) expect(seen).toEqual(expected.slice(0, seen.length));
        const all = await peer.feed.read(head, 100);
        expect(all.map((e) => e.seq)).toEqual(expected);
        expect(all.map((e) => (e.payload as { n: number }).n).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 12 }, (_, n) => n),
        );
      } finally {
        if (peer !== store()) await peer.close();
      }
    });

    it('a follower is live while its lease runs, with the last sequence it acknowledged', async () => {
      const id = randomWord('follower');
      await store().feed.renew(id, 3, 60_000);
      expect((await store().feed.followers()).find((f) => f.id === id)).toEqual({
        id,
        acked: 3,
        live: true,
      });
      await store().feed.renew(id, 5, 1);
      await pause(20);
      expect((await store().feed.followers()).find((f) => f.id === id)).toEqual({
        id,
        acked: 5,
        live: false,
      });
      await store().feed.renew(id, 6, 60_000);
      expect((await store().feed.followers()).find((f) => f.id === id)).toMatchObject({
        acked: 6,
        live: true,
      });
    });

    it('every handle on the database sees the followers another one renewed', async () => {
      if (!harness.openPeer) return;
      const peer = await harness.openPeer(store());
      try {
        const id = randomWord('follower');
        await peer.feed.renew(id, 7, 60_000);
        expect((await store().feed.followers()).find((f) => f.id === id)).toEqual({
          id,
          acked: 7,
          live: true,
        });
      } finally {
        await peer.close();
      }
    });
  });
}
