import { randomUUID } from 'node:crypto';
import type { AuditEvent } from 'fhir/r4';
import { AUDIT_DEAD_LETTER_TOPIC, AUDIT_TOPIC } from '@dmp/audit-trail';
import { createMetrics, silentLogger } from '@dmp/http';
import { startAuditShipper } from '@dmp/runtime';
import { close, listen, openWired, type Wired } from './wired-harness';

/**
 * An event the audit service refuses (it should never happen: events are made valid at their
 * source; this one bypasses that) must neither block the queue nor vanish: the shipper stores
 * what it can, parks the refused event in the dead-letter topic with the audit service's answer,
 * counts it and logs it, and goes on.
 */
let w: Wired;
beforeAll(async () => {
  w = await openWired();
});
afterAll(() => w.close());

function event(id: string, recorded: string): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded,
    agent: [{ requestor: true, who: { display: 'test' } }],
    source: { observer: { display: 'documents' } },
  };
}

describe('audit shipping dead letters', () => {
  it('stores the valid events, parks the refused one with the answer, counts it, and goes on', async () => {
    const audit = await listen(w.audit);
    const metrics = createMetrics('documents-dead-letter');
    const good = randomUUID();
    const bad = randomUUID();
    const after = randomUUID();
    const outbox = w.documentsStore.outbox;
    await outbox.append(AUDIT_TOPIC, event(good, new Date().toISOString()));
    await outbox.append(AUDIT_TOPIC, event(bad, 'not a date'));
    const shipper = startAuditShipper({
      outbox,
      topic: AUDIT_TOPIC,
      auditUrl: audit.url,
      token: w.serviceToken,
      logger: silentLogger(),
      idleMs: 10,
      // The audit service compiles the R4 schema on its first request: seconds on a busy machine.
      timeoutMs: 60_000,
      deadLetters: metrics.auditDeadLetters,
    });
    try {
      await shipper.drained();
      await outbox.append(AUDIT_TOPIC, event(after, new Date().toISOString()));
      await shipper.drained();

      expect(await w.auditLog.read(good)).toBeDefined();
      expect(await w.auditLog.read(after)).toBeDefined();
      expect(await w.auditLog.read(bad)).toBeUndefined();
      const parked = await outbox.claim(AUDIT_DEAD_LETTER_TOPIC, 10, 0);
      expect(parked).toHaveLength(1);
      expect(parked[0]?.payload).toMatchObject({ event: { id: bad }, status: '400' });
      expect((await metrics.auditDeadLetters.get()).values[0]?.value).toBe(1);
    } finally {
      await shipper.stop();
      await close(audit.server);
    }
  }, 90_000);
});
