import type { ResourceStore } from '@dmp/storage';
import { buildDocument, randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

/**
 * `claimUnique`: a key taken in a namespace stays taken once committed, is free again after a
 * rollback, and exactly one of several concurrent claimers gets it, on one handle or on two
 * handles of the same database (two instances of a service).
 */
export function describeUniqueClaimContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: unique claims`, () => {
    const store = useStore(harness);
    const claim = (on: ResourceStore, namespace: string, key: string) =>
      on.transaction((tx) => tx.claimUnique(namespace, key));

    it('a committed claim holds: the next claim of the key answers false', async () => {
      const namespace = randomWord('ns');
      const key = randomWord('key');
      expect(await claim(store(), namespace, key)).toBe(true);
      expect(await claim(store(), namespace, key)).toBe(false);
      expect(await claim(store(), namespace, randomWord('key'))).toBe(true);
      expect(await claim(store(), randomWord('ns'), key)).toBe(true);
    });

    it('inside one transaction the second claim of a key answers false', async () => {
      const key = randomWord('key');
      const answers = await store().transaction(async (tx) => [
        await tx.claimUnique('ns', key),
        await tx.claimUnique('ns', key),
      ]);
      expect(answers).toEqual([true, false]);
    });

    it('a rolled-back claim leaves the key free, with the data written beside it', async () => {
      const key = randomWord('key');
      let created = '';
      await expect(
        store().transaction(async (tx) => {
          expect(await tx.claimUnique('ns', key)).toBe(true);
          created = (await tx.create(buildDocument())).id ?? '';
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      await expect(store().read('DocumentReference', created)).rejects.toMatchObject({
        status: 404,
      });
      expect(await claim(store(), 'ns', key)).toBe(true);
    });

    it('exactly one of concurrent transactions claiming one key gets it', async () => {
      const key = randomWord('key');
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => claim(store(), 'ns', key)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('exactly one of two handles on one database gets a key claimed at once', async () => {
      if (!harness.openPeer) return;
      const peer = await harness.openPeer(store());
      try {
        for (let round = 0; round < 5; round += 1) {
          const key = randomWord('key');
          const answers = await Promise.all([
            claim(store(), 'ns', key),
            claim(peer, 'ns', key),
            claim(store(), 'ns', key),
            claim(peer, 'ns', key),
          ]);
          expect(answers.filter(Boolean)).toHaveLength(1);
        }
      } finally {
        await peer.close();
      }
    });
  });
}
