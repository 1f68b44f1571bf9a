import type { AuditEvent } from 'fhir/r4';
import { parseSearch } from '@dmp/fhir';
import type { AuditLog } from './audit-log-port';

/** How the contract suite reaches one {@link AuditLog} adapter (fresh, empty log per test). */
export interface AuditLogHarness {
  name: string;
  open(): Promise<AuditLog>;
  teardown(log: AuditLog): Promise<void>;
}

const day = (n: number) => String((n % 28) + 1).padStart(2, '0');

/** A small valid event; `recorded` defaults to a day of January 2025 derived from `n`. */
export function contractEvent(n: number, recorded = `2025-01-${day(n)}T10:00:00Z`): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: `e-${n}`,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    action: 'R',
    recorded,
    agent: [{ who: { reference: `Practitioner/p-${n % 3}` }, requestor: true }],
    source: { observer: { reference: 'Device/dmp' } },
    entity: [{ what: { reference: `Patient/pat-${n % 2}` } }],
  };
}

/**
 * The behaviour every AuditLog adapter must show (SQLite now, MongoDB later): gapless grouped
 * appends, idempotency on id, search with keyset paging, range scans, verification, retention.
 * Tampering with the stored records is adapter-specific and tested beside each adapter.
 */
export function describeAuditLogContract(harness: AuditLogHarness): void {
  describe(`AuditLog contract: ${harness.name}`, () => {
    let log: AuditLog;
    beforeEach(async () => {
      log = await harness.open();
    });
    afterEach(() => harness.teardown(log));

    it('groups concurrent appends into gapless sequence numbers, in call order', async () => {
      const outcomes = await Promise.all([1, 2, 3, 4].map((n) => log.append([contractEvent(n)])));
      expect(outcomes.map(([o]) => o?.seq)).toEqual([1, 2, 3, 4]);
      expect(await log.head()).toMatchObject({ seq: 4 });
      expect((await log.verify()).ok).toBe(true);
    });

    it('acknowledges a replayed id (and a repeat inside one call) without storing it again', async () => {
      await log.append([contractEvent(1)]);
      const outcomes = await log.append([contractEvent(1), contractEvent(2), contractEvent(2)]);
      expect(outcomes.map((o) => [o.event.id, o.created, o.seq])).toEqual([
        ['e-1', false, 1],
        ['e-2', true, 2],
        ['e-2', false, 2],
      ]);
    });

    it('reads an event by id, and nothing for an unknown id', async () => {
      await log.append([contractEvent(1)]);
      expect((await log.read('e-1'))?.meta?.versionId).toBe('1');
      expect(await log.read('nope')).toBeUndefined();
    });

    it('searches newest recorded first and pages by cursor without repeats', async () => {
      await log.append(Array.from({ length: 10 }, (_, i) => contractEvent(i)));
      const { query } = parseSearch(
        'AuditEvent',
        new URLSearchParams('patient=Patient/pat-0&_count=2'),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await log.search({ ...query, ...(cursor ? { cursor } : {}) });
        seen.push(...page.resources.map((e) => e.id ?? ''));
        cursor = page.nextCursor;
        await log.append([contractEvent(100 + seen.length)]);
      } while (cursor);
      expect(seen).toEqual(['e-8', 'e-6', 'e-4', 'e-2', 'e-0']);
    });

    it('scans a recorded range in sequence order, page by page', async () => {
      await log.append(Array.from({ length: 10 }, (_, i) => contractEvent(i)));
      const ids: string[] = [];
      for await (const record of log.scan({ from: '2025-01-03', to: '2025-01-06', pageSize: 2 })) {
        ids.push(record.id);
      }
      expect(ids).toEqual(['e-2', 'e-3', 'e-4']);
    });

    it('stores checkpoints and verifies them against the records', async () => {
      await log.append([contractEvent(1), contractEvent(2)]);
      const head = await log.head();
      await log.addCheckpoint({ ...head, time: '2025-01-01T00:00:00Z', jws: 'x.y.z' });
      expect(await log.checkpoints()).toEqual([
        { ...head, time: '2025-01-01T00:00:00Z', jws: 'x.y.z' },
      ]);
      expect((await log.verify()).ok).toBe(true);
    });

    it('retention removes an old prefix, keeps an anchor, and the rest still verifies', async () => {
      await log.append([
        contractEvent(1, '2020-01-01T00:00:00Z'),
        contractEvent(2, '2020-06-01T00:00:00Z'),
        contractEvent(3, '2025-01-01T00:00:00Z'),
      ]);
      expect(await log.purgeBefore('2021-01-01T00:00:00Z')).toBe(2);
      expect(await log.anchor()).toMatchObject({ seq: 2 });
      await log.append([contractEvent(4)]);
      expect(await log.verify()).toMatchObject({ ok: true, verified: 2, head: { seq: 4 } });
    });

    it('purges nothing when no event is older than the cutoff', async () => {
      await log.append([contractEvent(1, '2025-01-01T00:00:00Z')]);
      expect(await log.purgeBefore('2021-01-01T00:00:00Z')).toBe(0);
      expect(await log.head()).toMatchObject({ seq: 1 });
    });
  });
}
