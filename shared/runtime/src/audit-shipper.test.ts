import { silentLogger } from '@dmp/http';
import { outboxRecordFromJson, type Outbox, type OutboxRecord } from '@dmp/storage';
import { startAuditShipper } from './audit-shipper';

/** An outbox in memory that remembers the size of every claimed batch. */
function memoryOutbox() {
  let records: OutboxRecord[] = [];
  let next = 1;
  const batches: number[] = [];
  const outbox: Outbox = {
    append: (topic, payload) => {
      const fields = { id: String(next++), topic, attempts: 0, createdAt: '' };
      records.push(outboxRecordFromJson(fields, JSON.stringify(payload ?? null)));
      return Promise.resolve();
    },
    claim: (_topic, limit) => {
      const batch = records.slice(0, limit);
      records = records.slice(batch.length);
      if (batch.length > 0) batches.push(batch.length);
      return Promise.resolve(batch);
    },
    ack: () => Promise.resolve(),
    pending: () => Promise.resolve(records.length),
  };
  return { outbox, batches };
}

/** Every Bundle the fake audit service received. */
const received: unknown[] = [];

/** The audit service's answer to a batch, after 10 ms: every entry stored. */
const storeAll: typeof fetch = async (_url, init) => {
  const bundle = JSON.parse(init?.body as string) as { entry: unknown[] };
  received.push(bundle);
  const entries = bundle.entry;
  const body = { entry: entries.map(() => ({ response: { status: '201 Created' } })) };
  await new Promise((resolve) => setTimeout(resolve, 10));
  return new Response(JSON.stringify(body), { status: 200 });
};

describe('audit shipper', () => {
  const ship = (outbox: Outbox, batchSize: number) =>
    startAuditShipper({
      outbox,
      topic: 'audit',
      auditUrl: 'http://audit.invalid',
      token: () => Promise.resolve('token'),
      logger: silentLogger(),
      fetch: storeAll,
      batchSize,
      idleMs: 100,
    });

  it('ships full batches back to back', async () => {
    const { outbox, batches } = memoryOutbox();
    for (let i = 0; i < 5; i += 1) await outbox.append('audit', { n: i });
    const shipper = ship(outbox, 2);
    try {
      await shipper.drained();
      expect(batches).toEqual([2, 2, 1]);
    } finally {
      await shipper.stop();
    }
  });

  it('posts the stored events as a batch Bundle, each entry a POST of its AuditEvent', async () => {
    const { outbox } = memoryOutbox();
    const events = [
      { resourceType: 'AuditEvent', id: 'a', outcome: '0' },
      { resourceType: 'AuditEvent', id: 'b', agent: [{ name: 'Zoé "Z" \u2028' }] },
    ];
    for (const event of events) await outbox.append('audit', event);
    received.length = 0;
    const shipper = ship(outbox, 10);
    try {
      await shipper.drained();
      expect(received).toEqual([
        {
          resourceType: 'Bundle',
          type: 'batch',
          entry: events.map((resource) => ({
            resource,
            request: { method: 'POST', url: 'AuditEvent' },
          })),
        },
      ]);
    } finally {
      await shipper.stop();
    }
  });

  it('after a partial batch, waits for what arrives instead of shipping it one by one', async () => {
    const { outbox, batches } = memoryOutbox();
    const shipper = ship(outbox, 200);
    try {
      // 60 records, one every 5 ms (about 300 ms): posted as they come, that would be dozens of
      // batches (each post takes 10 ms); gathered for 100 ms after each partial batch, a few.
      for (let i = 0; i < 60; i += 1) {
        await outbox.append('audit', { n: i });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await shipper.drained();
      expect(batches.reduce((a, b) => a + b, 0)).toBe(60);
      expect(batches.length).toBeLessThanOrEqual(8);
    } finally {
      await shipper.stop();
    }
  });
});
