import type { ResourceStore } from '@dmp/storage';
import { randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeOutboxContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: outbox`, () => {
    const store = useStore(harness);

    it('claims oldest first, hides claimed records until the lease ends, counts pending', async () => {
      const topic = randomWord('topic');
      for (let i = 0; i < 3; i += 1) await store().outbox.append(topic, { n: i });
      expect(await store().outbox.pending(topic)).toBe(3);
      const first = await store().outbox.claim(topic, 2, 60_000);
      expect(first.map((r) => r.payload)).toEqual([{ n: 0 }, { n: 1 }]);
      expect(first.every((r) => r.attempts === 0 && r.topic === topic)).toBe(true);
      const second = await store().outbox.claim(topic, 10, 60_000);
      expect(second.map((r) => r.payload)).toEqual([{ n: 2 }]);
      expect(await store().outbox.claim(topic, 10, 60_000)).toEqual([]);
      expect(await store().outbox.pending(topic)).toBe(3);
    });

    it('gives each record its payload as stored JSON text, undefined kept as null', async () => {
      const topic = randomWord('topic');
      const payload = {
        resourceType: 'AuditEvent',
        text: 'é\u2028"',
        list: [1, null, { a: true }],
      };
      await store().outbox.append(topic, payload);
      await store().outbox.append(topic, undefined);
      const records = await store().outbox.claim(topic, 10, 60_000);
      expect(records.map((r) => r.payloadJson)).toEqual([JSON.stringify(payload), 'null']);
      expect(records.map((r) => r.payload)).toEqual([payload, null]);
    });

    it('an expired lease makes the record claimable again with one more attempt', async () => {
      const topic = randomWord('topic');
      await store().outbox.append(topic, 'audit');
      const [claimed] = await store().outbox.claim(topic, 1, 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const [again] = await store().outbox.claim(topic, 1, 60_000);
      expect(again?.id).toBe(claimed?.id);
      expect(again?.attempts).toBe(1);
    });

    it('acknowledged records are never claimed again and no longer pending', async () => {
      const topic = randomWord('topic');
      await store().outbox.append(topic, { a: 1 });
      await store().outbox.append(topic, { a: 2 });
      const claimed = await store().outbox.claim(topic, 10, 1);
      await store().outbox.ack(claimed.slice(0, 1).map((r) => r.id));
      await new Promise((resolve) => setTimeout(resolve, 10));
      const again = await store().outbox.claim(topic, 10, 60_000);
      expect(again.map((r) => r.payload)).toEqual([{ a: 2 }]);
      expect(await store().outbox.pending(topic)).toBe(1);
    });

    it('topics are independent', async () => {
      const a = randomWord('topic');
      const b = randomWord('topic');
      await store().outbox.append(a, 1);
      expect(await store().outbox.claim(b, 10, 60_000)).toEqual([]);
      expect(await store().outbox.pending(b)).toBe(0);
    });
  });
}
