import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEvent } from 'fhir/r4';
import { parseSearch, SEARCH_PARAMETERS } from '@dmp/fhir';
import type { AuditLog } from '@dmp/storage';
import { openSqliteAuditLog } from './open-sqlite-audit-log';

const event = (
  n: number,
  recorded = `2025-01-${String((n % 28) + 1).padStart(2, '0')}T10:00:00Z`,
): AuditEvent => ({
  resourceType: 'AuditEvent',
  id: `e-${n}`,
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  action: 'R',
  recorded,
  agent: [{ who: { reference: `Practitioner/p-${n % 3}` }, requestor: true }],
  source: { observer: { reference: 'Device/dmp' } },
  entity: [{ what: { reference: `Patient/pat-${n % 2}` } }],
});

let dir: string;
let log: AuditLog;
const file = () => path.join(dir, 'audit.sqlite');

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dmp-audit-log-'));
  log = openSqliteAuditLog({
    file: file(),
    searchParameters: SEARCH_PARAMETERS,
    synchronous: 'NORMAL',
  });
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite audit log', () => {
  it('groups concurrent appends into gapless sequence numbers, in call order', async () => {
    const outcomes = await Promise.all([1, 2, 3, 4].map((n) => log.append([event(n)])));
    expect(outcomes.map(([o]) => o?.seq)).toEqual([1, 2, 3, 4]);
    expect(await log.head()).toMatchObject({ seq: 4 });
    expect((await log.verify()).ok).toBe(true);
  });

  it('acknowledges a replayed id (and a repeat inside one call) without storing it again', async () => {
    await log.append([event(1)]);
    const outcomes = await log.append([event(1), event(2), event(2)]);
    expect(outcomes.map((o) => [o.event.id, o.created, o.seq])).toEqual([
      ['e-1', false, 1],
      ['e-2', true, 2],
      ['e-2', false, 2],
    ]);
  });

  it('finds events with the shared search renderer, newest recorded first, paging by cursor', async () => {
    await log.append(Array.from({ length: 10 }, (_, i) => event(i)));
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
    } while (cursor);
    expect(seen).toEqual(['e-8', 'e-6', 'e-4', 'e-2', 'e-0']);
  });

  it('scans a recorded range in sequence order, page by page', async () => {
    await log.append(Array.from({ length: 10 }, (_, i) => event(i)));
    const ids: string[] = [];
    for await (const record of log.scan({ from: '2025-01-03', to: '2025-01-06', pageSize: 2 }))
      ids.push(record.id);
    expect(ids).toEqual(['e-2', 'e-3', 'e-4']);
  });

  it('refuses writes when opened read-only, and changes nothing in the file', async () => {
    await log.append([event(1)]);
    const reader = openSqliteAuditLog({
      file: file(),
      searchParameters: SEARCH_PARAMETERS,
      readonly: true,
    });
    try {
      await expect(reader.append([event(2)])).rejects.toMatchObject({
        code: 'DMP-STORAGE-UNAVAILABLE',
      });
      expect((await reader.verify()).ok).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('retention removes an old prefix, keeps an anchor, and the rest still verifies', async () => {
    await log.append([
      event(1, '2020-01-01T00:00:00Z'),
      event(2, '2020-06-01T00:00:00Z'),
      event(3, '2025-01-01T00:00:00Z'),
    ]);
    expect(await log.purgeBefore('2021-01-01T00:00:00Z')).toBe(2);
    expect(await log.anchor()).toMatchObject({ seq: 2 });
    await log.append([event(4)]);
    expect(await log.verify()).toMatchObject({ ok: true, verified: 2, head: { seq: 4 } });
  });

  it('purges nothing when no event is older than the cutoff', async () => {
    await log.append([event(1, '2025-01-01T00:00:00Z')]);
    expect(await log.purgeBefore('2021-01-01T00:00:00Z')).toBe(0);
  });
});
