import Database from 'better-sqlite3';
import request from 'supertest';
import { dmpEvent, feederToken, openHarness, auditorToken, type Harness } from './harness';

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

describe('ITI-20 recording', () => {
  it('stores an event without id under a new id, with sequence-stamped meta (201)', async () => {
    const res = await post('/fhir/AuditEvent', event()).expect(201);

    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  });

  it('acknowledges a replayed id with 200 and stores it once', async () => {
    const before = (await h.log.head()).seq;
    await post('/fhir/AuditEvent', event('replayed-1')).expect(201);
    const res = await post('/fhir/AuditEvent', event('replayed-1')).expect(200);

    expect(res.body.id).toBe('replayed-1');
    expect((await h.log.head()).seq).toBe(before + 1);
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
    expect((await h.log.head()).seq).toBe(before);
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
    expect((await h.log.head()).seq).toBe(before);
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
