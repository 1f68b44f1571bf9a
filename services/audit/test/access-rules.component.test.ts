import request from 'supertest';
import type { AuditEvent } from 'fhir/r4';
import {
  auditorToken,
  dmpEvent,
  feederToken,
  INS_SYSTEM,
  openHarness,
  patientToken,
  professionalToken,
  type Harness,
} from './harness';

const ALICE = '285059900012303';
const BOB = '185057800608436';
const DR_A = '810000000201';
const DR_B = '810000000202';

let h: Harness;
let tokens: Record<'auditor' | 'alice' | 'drA' | 'feeder', string>;

beforeAll(async () => {
  h = await openHarness('access');
  tokens = {
    auditor: await auditorToken(h.issuer),
    alice: await patientToken(h.issuer, ALICE),
    drA: await professionalToken(h.issuer, DR_A),
    feeder: await feederToken(h.issuer),
  };
  const events = [
    dmpEvent({ ins: ALICE, idNat: DR_A, id: 'alice-by-a', recorded: '2025-01-10T10:00:00Z' }),
    dmpEvent({ ins: ALICE, idNat: DR_B, id: 'alice-by-b', recorded: '2025-01-11T10:00:00Z' }),
    dmpEvent({ ins: BOB, idNat: DR_A, id: 'bob-by-a', recorded: '2025-01-12T10:00:00Z' }),
    dmpEvent({ ins: BOB, idNat: DR_B, id: 'bob-by-b', recorded: '2025-01-13T10:00:00Z' }),
  ];
  await request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${tokens.feeder}`)
    .send({
      resourceType: 'Bundle',
      type: 'batch',
      entry: events.map((resource) => ({ resource })),
    })
    .expect(200);
});

afterAll(() => h.close());

async function idsSeenBy(token: string, query = 'date=lt2026'): Promise<string[]> {
  const res = await request(h.app)
    .get(`/fhir/AuditEvent?${query}`)
    .set('Authorization', `Bearer ${token}`)
    .expect(200);
  const entries = (res.body.entry ?? []) as { resource: AuditEvent }[];
  return entries.map((e) => e.resource.id ?? '').sort();
}

describe('who may read the audit trail', () => {
  it('lets an auditor see every event', async () => {
    expect(await idsSeenBy(tokens.auditor)).toEqual([
      'alice-by-a',
      'alice-by-b',
      'bob-by-a',
      'bob-by-b',
    ]);
  });

  it('lets a patient see only the events about themself, whatever they ask', async () => {
    expect(await idsSeenBy(tokens.alice)).toEqual(['alice-by-a', 'alice-by-b']);
    expect(await idsSeenBy(tokens.alice, `patient.identifier=${INS_SYSTEM}|${BOB}`)).toEqual([]);
  });

  it('lets a professional see only their own actions', async () => {
    expect(await idsSeenBy(tokens.drA)).toEqual(['alice-by-a', 'bob-by-a']);
  });

  it('answers 404 when a patient reads another patient’s event by id, 200 for their own', async () => {
    await request(h.app)
      .get('/fhir/AuditEvent/bob-by-a')
      .set('Authorization', `Bearer ${tokens.alice}`)
      .expect(404);
    await request(h.app)
      .get('/fhir/AuditEvent/alice-by-a')
      .set('Authorization', `Bearer ${tokens.alice}`)
      .expect(200);
  });

  it('refuses a system caller with 403 DMP-AUDIT-ACCESS-DENIED', async () => {
    const system = await h.issuer.sign({
      sub: 'documents-service',
      scope: 'system/AuditEvent.crs',
      extensions: { fr_dmp: { actor_kind: 'system' } },
    });
    const res = await request(h.app)
      .get('/fhir/AuditEvent')
      .set('Authorization', `Bearer ${system}`)
      .expect(403);
    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUDIT-ACCESS-DENIED');
  });

  it('refuses a caller without an AuditEvent read scope (403) and without a token (401)', async () => {
    await request(h.app)
      .get('/fhir/AuditEvent')
      .set('Authorization', `Bearer ${tokens.feeder}`)
      .expect(403);
    await request(h.app).get('/fhir/AuditEvent').expect(401);
  });

  it('records every read of the trail, by whom, so the patient sees their own reads', async () => {
    await idsSeenBy(tokens.alice);
    const reads = await request(h.app)
      .get(
        '/fhir/AuditEvent?subtype=https://dmp.example.fr/fhir/CodeSystem/audit-subtype|audit-log-read&_count=100',
      )
      .set('Authorization', `Bearer ${tokens.alice}`)
      .expect(200);
    expect(reads.body.entry.length).toBeGreaterThan(0);
    const auditorReads = await request(h.app)
      .get(
        '/fhir/AuditEvent?subtype=https://dmp.example.fr/fhir/CodeSystem/audit-subtype|audit-log-read&agent.identifier=auditor-1',
      )
      .set('Authorization', `Bearer ${tokens.auditor}`)
      .expect(200);
    expect(auditorReads.body.entry.length).toBeGreaterThan(0);
  });
});

describe('ITI-81 search behaviour', () => {
  it('answers POST _search like GET', async () => {
    const res = await request(h.app)
      .post('/fhir/AuditEvent/_search')
      .set('Authorization', `Bearer ${tokens.auditor}`)
      .type('form')
      .send(`patient.identifier=${INS_SYSTEM}|${ALICE}&date=lt2026`)
      .expect(200);
    expect(res.body.entry.map((e: { resource: AuditEvent }) => e.resource.id)).toEqual([
      'alice-by-b',
      'alice-by-a',
    ]);
  });

  it('sorts newest recorded first by default and honours _sort=date', async () => {
    expect(
      (
        await request(h.app)
          .get('/fhir/AuditEvent?date=lt2026&_sort=date')
          .set('Authorization', `Bearer ${tokens.auditor}`)
      ).body.entry.map((e: { resource: AuditEvent }) => e.resource.id),
    ).toEqual(['alice-by-a', 'alice-by-b', 'bob-by-a', 'bob-by-b']);
  });

  it('counts with _summary=count', async () => {
    const res = await request(h.app)
      .get('/fhir/AuditEvent?date=lt2026&_summary=count')
      .set('Authorization', `Bearer ${tokens.auditor}`)
      .expect(200);
    expect(res.body.total).toBe(4);
    expect(res.body).not.toHaveProperty('entry');
  });

  it('supports every date prefix on recorded', async () => {
    const cases: [string, number][] = [
      ['date=2025-01-10', 1],
      ['date=ge2025-01-11&date=lt2026', 3],
      ['date=gt2025-01-11&date=lt2026', 2],
      ['date=le2025-01-11', 2],
      ['date=lt2025-01-11', 1],
      ['date=sa2025-01-11&date=lt2026', 2],
      ['date=eb2025-01-11', 1],
      ['date=ne2025-01-10&date=lt2026', 3],
      ['date=ge2025-01-11&date=le2025-01-12', 2],
      ['date=ap2025-01-12', 4],
    ];
    for (const [query, expected] of cases) {
      const ids = await idsSeenBy(tokens.auditor, query);
      expect({ query, count: ids.length }).toEqual({ query, count: expected });
    }
  });

  it('pages without skipping or repeating while new events arrive', async () => {
    const seen: string[] = [];
    let url = '/fhir/AuditEvent?date=lt2026&_count=1';
    let extra = 0;
    for (;;) {
      const res = await request(h.app)
        .get(url.replace(/^https?:\/\/[^/]+/, ''))
        .set('Authorization', `Bearer ${tokens.auditor}`)
        .expect(200);
      seen.push(...res.body.entry.map((e: { resource: AuditEvent }) => e.resource.id));
      // A new event arrives between pages, older and newer than the cursor.
      await request(h.app)
        .post('/fhir/AuditEvent')
        .set('Authorization', `Bearer ${tokens.feeder}`)
        .send(dmpEvent({ ins: ALICE, idNat: DR_A, recorded: `2024-12-0${++extra}T10:00:00Z` }))
        .expect(201);
      const next = (res.body.link as { relation: string; url: string }[]).find(
        (l) => l.relation === 'next',
      );
      if (!next) break;
      url = next.url;
    }
    expect(seen.slice(0, 4)).toEqual(['bob-by-b', 'bob-by-a', 'alice-by-b', 'alice-by-a']);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('answers the identifier chains and their aliases', async () => {
    const feeder = tokens.feeder;
    const event = {
      ...dmpEvent({ ins: ALICE, idNat: DR_B, id: 'chains', recorded: '2025-03-01T10:00:00Z' }),
      source: {
        observer: {
          type: 'Device',
          identifier: { system: 'urn:dmp:device', value: 'documents-1' },
        },
      },
    };
    await request(h.app)
      .post('/fhir/AuditEvent')
      .set('Authorization', `Bearer ${feeder}`)
      .send(event)
      .expect(201);
    const queries = [
      `patient.identifier=${INS_SYSTEM}|${ALICE}`,
      `agent.identifier=urn:oid:1.2.250.1.71.4.2.1|${DR_B}`,
      'source.identifier=urn:dmp:device|documents-1',
      `entity-id=${ALICE}`,
      `entity.identifier=${INS_SYSTEM}|${ALICE}`,
      'purpose-of-use=http://terminology.hl7.org/CodeSystem/v3-ActReason|TREAT',
      '_id=chains',
      '_lastUpdated=gt2020-01-01&_sort=-_lastUpdated',
    ];
    for (const query of queries) {
      const ids = await idsSeenBy(tokens.auditor, `${query}&date=2025-03-01`);
      expect({ query, ids }).toEqual({ query, ids: ['chains'] });
    }
  });

  it('refuses an unknown parameter with 400 unless handling=lenient', async () => {
    await request(h.app)
      .get('/fhir/AuditEvent?colour=blue')
      .set('Authorization', `Bearer ${tokens.auditor}`)
      .expect(400);
    await request(h.app)
      .get('/fhir/AuditEvent?colour=blue')
      .set('Authorization', `Bearer ${tokens.auditor}`)
      .set('Prefer', 'handling=lenient')
      .expect(200);
  });
});
