import Database from 'better-sqlite3';
import request from 'supertest';
import type { AuditEvent } from 'fhir/r4';
import {
  dmpEvent,
  feederToken,
  openHarness,
  auditorToken,
  patientToken,
  professionalToken,
  type Harness,
} from './harness';

let h: Harness;
let feeder: string;

beforeAll(async () => {
  h = await openHarness('recording');
  feeder = await feederToken(h.issuer);
});

afterAll(() => h.close());

const post = (path: string, body: object) =>
  request(h.app).post(path).set('Authorization', `Bearer ${feeder}`).send(body);

const event = (id?: string) =>
  dmpEvent({ ins: '185057800608436', idNat: '810000000042', ...(id ? { id } : {}) });

/** What the log gained since `seq`: the refusal traces of the audit service itself, or events. */
async function appendedSince(seq: number): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const record of h.log.scan({ afterSeq: seq })) {
    events.push(JSON.parse(record.json) as AuditEvent);
  }
  return events;
}

/** Only the audit service's own trace of the refusal (outcome 4), never the refused event. */
async function expectOnlyRefusalTraced(before: number, code: string): Promise<void> {
  const added = await appendedSince(before);
  expect(added.map((e) => [e.outcome, e.source.observer.display])).toEqual([
    ['4', 'DMP audit record repository'],
  ]);
  expect(added[0]?.outcomeDesc).toContain(code);
}

describe('ITI-20 recording', () => {
  it('stores an event without id under a new id, with sequence-stamped meta (201)', async () => {
    const res = await post('/fhir/AuditEvent', event()).expect(201);

    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  });

  it('acknowledges a replayed id with 200 and stores it once', async () => {
    const before = (await h.log.head()).seq;
    const sent = event('replayed-1');
    await post('/fhir/AuditEvent', sent).expect(201);
    const res = await post('/fhir/AuditEvent', sent).expect(200);

    expect(res.body.id).toBe('replayed-1');
    expect((await h.log.head()).seq).toBe(before + 1);
  });

  it('refuses another event under a recorded id with 409, without showing the recorded one', async () => {
    const recorded = { ...event('someone-elses'), outcomeDesc: 'SECRET-CONTENT-42' };
    await post('/fhir/AuditEvent', recorded).expect(201);

    const single = await post('/fhir/AuditEvent', event('someone-elses')).expect(409);
    const batch = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ resource: event('someone-elses'), request: { method: 'POST', url: 'AuditEvent' } }],
    }).expect(200);

    expect(single.body.issue[0].details.coding[0].code).toBe('DMP-RESOURCE-DUPLICATE');
    expect(batch.body.entry[0].response.status).toBe('409');
    expect(JSON.stringify([single.body, batch.body])).not.toContain('SECRET-CONTENT-42');
  });

  it('refuses an event missing BALP essentials with 422 DMP-AUDIT-EVENT-INVALID naming the elements', async () => {
    const bad = { ...event(), source: { observer: {} }, agent: [{ requestor: true }] };
    const res = await post('/fhir/AuditEvent', bad).expect(422);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUDIT-EVENT-INVALID');
    expect(res.body.issue.flatMap((i: { expression: string[] }) => i.expression)).toEqual([
      'AuditEvent.agent',
      'AuditEvent.source.observer',
    ]);
  });

  it('refuses a schema-invalid event with 400 DMP-RESOURCE-INVALID, storing nothing', async () => {
    const before = (await h.log.head()).seq;
    const res = await post('/fhir/AuditEvent', { ...event(), recorded: 'yesterday' }).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-RESOURCE-INVALID');
    await expectOnlyRefusalTraced(before, 'DMP-RESOURCE-INVALID');
  });

  it('keeps the valid entries of a batch when one holds a number JSON cannot represent (1e400)', async () => {
    const good = JSON.stringify(event('finite-ok'));
    const bad = JSON.stringify({
      ...event('infinite'),
      entity: [{ extension: [{ url: 'urn:x', valueDecimal: 1 }] }],
    }).replace('"valueDecimal":1', '"valueDecimal":1e400');
    const res = await request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${feeder}`)
      .set('Content-Type', 'application/fhir+json')
      .send(
        `{"resourceType":"Bundle","type":"batch","entry":[` +
          `{"resource":${good},"request":{"method":"POST","url":"AuditEvent"}},` +
          `{"resource":${bad},"request":{"method":"POST","url":"AuditEvent"}}]}`,
      )
      .expect(200);

    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '201 Created',
      '400',
    ]);
    expect(res.body.entry[1].response.outcome.issue[0].expression).toEqual([
      'Bundle.entry[1].resource.entity[0].extension[0].valueDecimal',
    ]);
    expect(await h.log.read('finite-ok')).toBeDefined();
  });

  it('stores the good entries of a batch and answers 4xx for the bad one only', async () => {
    const before = (await h.log.head()).seq;
    const res = await post('/fhir/', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: event('batch-a'), request: { method: 'POST', url: 'AuditEvent' } },
        {
          resource: { ...event('batch-b'), recorded: undefined },
          request: { method: 'POST', url: 'AuditEvent' },
        },
        { resource: event('batch-c'), request: { method: 'POST', url: 'AuditEvent' } },
      ],
    }).expect(200);

    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '201 Created',
      '422',
      '201 Created',
    ]);
    expect(res.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
    expect((await h.log.head()).seq).toBe(before + 2);
  });

  it('refuses a whole transaction with one bad entry, storing nothing', async () => {
    const before = (await h.log.head()).seq;
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: event('tx-a'), request: { method: 'POST', url: 'AuditEvent' } },
        { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      ],
    }).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUDIT-BUNDLE-INVALID');
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1].resource']);
    await expectOnlyRefusalTraced(before, 'DMP-AUDIT-BUNDLE-INVALID');
  });

  it('stores a valid transaction (transaction-response, 201 per entry)', async () => {
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: event('tx-ok'), request: { method: 'POST', url: 'AuditEvent' } }],
    }).expect(200);

    expect(res.body.type).toBe('transaction-response');
    expect(res.body.entry[0].response.location).toBe('AuditEvent/tx-ok/_history/1');
  });

  it('refuses a Bundle that is neither batch nor transaction (400)', async () => {
    const res = await post('/fhir', { resourceType: 'Bundle', type: 'collection' }).expect(400);
    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUDIT-BUNDLE-INVALID');
  });

  it('answers hostile bodies with 4xx, never 500', async () => {
    for (const body of ['[]', '"x"', '42', 'null', '{"resourceType":"Bundle","type":"batch"}']) {
      const res = await request(h.app)
        .post('/fhir/AuditEvent')
        .set('Authorization', `Bearer ${feeder}`)
        .set('Content-Type', 'application/fhir+json')
        .send(body);
      expect({ body, client: res.status >= 400 && res.status < 500 }).toEqual({
        body,
        client: true,
      });
    }
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [null, 5, {}, { resource: 'x' }],
    }).expect(200);
    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '400',
      '400',
      '400',
      '400',
    ]);
    await post('/fhir', { resourceType: 'Bundle', type: 'batch', entry: 'nope' }).expect(200);
  });

  it('refuses recording without the AuditEvent create scope (403)', async () => {
    const auditor = await auditorToken(h.issuer);
    await request(h.app)
      .post('/fhir/AuditEvent')
      .set('Authorization', `Bearer ${auditor}`)
      .send(event())
      .expect(403);
  });
});

describe('forged traces: only the services feed the log', () => {
  const forged = () =>
    dmpEvent({ ins: '185057800608436', idNat: '810000000042', mode: 'bris_de_glace' });

  it.each([
    [
      'a patient with patient/*.cruds',
      () =>
        h.issuer.sign({
          sub: '285059900012303',
          scope: 'patient/*.cruds',
          extensions: {
            ihe_iua: {
              person_id: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: '285059900012303' },
            },
            fr_dmp: { actor_kind: 'patient' },
          },
        }),
    ],
    ['a professional with AuditEvent.c', () => professionalToken(h.issuer, '810000000042')],
    [
      'a hospital system with system/*.cruds',
      () =>
        h.issuer.sign({
          sub: 'lps-hospital',
          client_id: 'lps-hospital',
          scope: 'system/*.cruds ITI-20',
          extensions: { fr_dmp: { actor_kind: 'system' } },
        }),
    ],
  ])('%s cannot post an AuditEvent or a batch (403 DMP-AUTH-SERVICE-ONLY)', async (_, token) => {
    const bearer = await token();
    const before = (await h.log.head()).seq;
    const single = await request(h.app)
      .post('/fhir/AuditEvent')
      .set('Authorization', `Bearer ${bearer}`)
      .send(forged())
      .expect(403);
    const batch = await request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${bearer}`)
      .send({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ resource: forged(), request: { method: 'POST', url: 'AuditEvent' } }],
      })
      .expect(403);

    for (const res of [single, batch]) {
      expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUTH-SERVICE-ONLY');
    }
    const added = await appendedSince(before);
    expect(added.map((e) => e.outcome)).toEqual(['4', '4']);
    expect(added.every((e) => e.purposeOfEvent === undefined)).toBe(true);
  });

  it('a patient calling $verify (auditors only) is refused, and the refusal is itself in the log', async () => {
    const bob = await patientToken(h.issuer, '185057800608436');
    const before = (await h.log.head()).seq;
    await request(h.app)
      .get('/fhir/AuditEvent/$verify')
      .set('Authorization', `Bearer ${bob}`)
      .expect(403);

    const [trace] = await appendedSince(before);
    expect(trace?.outcome).toBe('4');
    expect(trace?.agent[0]?.who?.identifier?.value).toBe('185057800608436');
    expect(trace?.entity?.some((e) => e.description === 'GET /fhir/AuditEvent/$verify')).toBe(true);
  });
});

describe('append-only', () => {
  beforeAll(() => h.checkpointer.checkpoint());

  it.each(['put', 'patch', 'delete'] as const)(
    'answers %s on an event with 405',
    async (method) => {
      const agent = request(h.app);
      const res = await agent[method]('/fhir/AuditEvent/replayed-1')
        .set('Authorization', `Bearer ${feeder}`)
        .send(event('replayed-1'))
        .expect(405);
      expect(res.body.resourceType).toBe('OperationOutcome');
    },
  );

  it.each(['put', 'patch', 'delete'] as const)(
    'answers %s on the type with 405',
    async (method) => {
      const agent = request(h.app);
      await agent[method]('/fhir/AuditEvent').set('Authorization', `Bearer ${feeder}`).expect(405);
    },
  );

  it.each([
    ['UPDATE audit_events SET json = json WHERE seq = 1'],
    ['DELETE FROM audit_events WHERE seq = 1'],
    ['UPDATE audit_index SET code = code'],
    ['DELETE FROM audit_index'],
    ["UPDATE audit_checkpoints SET hash = 'x'"],
    ['DELETE FROM audit_checkpoints'],
  ])('the database itself refuses: %s', (sql) => {
    const db = new Database(h.file);
    try {
      expect(() => db.exec(sql)).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});
