import { createGroupCommitOutbox, type ResourceStore } from '@dmp/storage';
import { randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

/** The group-committed outbox (the audit record of a read or a decision) over this adapter. */
export function describeGroupCommitContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: group-committed outbox appends`, () => {
    const store = useStore(harness);

    it('lands every one of many concurrent appends, each durable once its append resolved', async () => {
      const outbox = createGroupCommitOutbox(store());
      const topics = Array.from({ length: 40 }, () => randomWord('topic'));

      const visibleWhenResolved = await Promise.all(
        topics.map((topic, n) =>
          outbox.append(topic, { n }).then(() => store().outbox.pending(topic)),
        ),
      );

      expect(visibleWhenResolved).toEqual(topics.map(() => 1));
      const claimed = await Promise.all(topics.map((topic) => store().outbox.claim(topic, 10, 1)));
      expect(claimed.map((records) => records.map((r) => r.payload))).toEqual(
        topics.map((_, n) => [{ n }]),
      );
    });

    it('keeps appends made after a group in the next group', async () => {
      const outbox = createGroupCommitOutbox(store(), { maxGroup: 3 });
      const topic = randomWord('topic');

      await Promise.all(Array.from({ length: 10 }, (_, n) => outbox.append(topic, n)));
      await outbox.append(topic, 10);

      const records = await store().outbox.claim(topic, 100, 1);
      expect(records.map((r) => r.payload).sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 11 }, (_, n) => n),
      );
    });
  });
}
