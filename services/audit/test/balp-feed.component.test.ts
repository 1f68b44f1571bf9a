import request from 'supertest';
import type { AuditEvent } from 'fhir/r4';
import {
  auditorToken,
  balpExamples,
  feederToken,
  mhdExamples,
  openHarness,
  type Harness,
} from './harness';

let h: Harness;
let feeder: string;
let auditor: string;
const examples = balpExamples();

beforeAll(async () => {
  h = await openHarness('balp');
  feeder = await feederToken(h.issuer);
  auditor = await auditorToken(h.issuer);
});

afterAll(() => h.close());

/** ITI-81 queries that must find an example again, built from its own content. */
function queriesFor(event: AuditEvent): string[] {
  const queries = [`_id=${event.id ?? ''}`, `date=${event.recorded}`, `_lastUpdated=gt2024-01-01`];
  const coding = (c?: { system?: string; code?: string }) =>
    c?.code
      ? `${c.system ? encodeURIComponent(c.system) + '|' : ''}${encodeURIComponent(c.code)}`
      : undefined;
  const type = coding(event.type);
  if (type) queries.push(`type=${type}`);
  const subtype = coding(event.subtype?.[0]);
  if (subtype) queries.push(`subtype=${subtype}`);
  if (event.action) queries.push(`action=${event.action}`);
  if (event.outcome) queries.push(`outcome=${event.outcome}`);
  const observer = event.source.observer?.reference;
  if (observer) queries.push(`source=${encodeURIComponent(observer)}`);
  const observerId = event.source.observer?.identifier?.value;
  if (observerId) queries.push(`source.identifier=${encodeURIComponent(observerId)}`);
  for (const agent of event.agent) {
    if (agent.who?.reference) queries.push(`agent=${encodeURIComponent(agent.who.reference)}`);
    if (agent.who?.identifier?.value) {
      queries.push(`agent.identifier=${encodeURIComponent(agent.who.identifier.value)}`);
    }
    if (agent.name) queries.push(`agent-name=${encodeURIComponent(agent.name)}`);
    const role = coding(agent.role?.[0]?.coding?.[0]);
    if (role) queries.push(`agent-role=${role}`);
    if (agent.network?.address)
      queries.push(`address=${encodeURIComponent(agent.network.address)}`);
    if (agent.altId) queries.push(`altid=${encodeURIComponent(agent.altId)}`);
    if (agent.policy?.[0]) queries.push(`policy=${encodeURIComponent(agent.policy[0])}`);
  }
  for (const entity of event.entity ?? []) {
    const what = entity.what?.reference;
    if (what) queries.push(`entity=${encodeURIComponent(what)}`);
    if (what?.startsWith('Patient/')) queries.push(`patient=${encodeURIComponent(what)}`);
    const patientId = entity.what?.identifier?.value;
    if (patientId && (entity.what?.type === 'Patient' || what?.startsWith('Patient/'))) {
      queries.push(`patient.identifier=${encodeURIComponent(patientId)}`);
    }
    if (entity.what?.identifier?.value) {
      queries.push(`entity-id=${encodeURIComponent(entity.what.identifier.value)}`);
      queries.push(`entity.identifier=${encodeURIComponent(entity.what.identifier.value)}`);
    }
    const entityType = coding(entity.type);
    if (entityType) queries.push(`entity-type=${entityType}`);
    const entityRole = coding(entity.role);
    if (entityRole) queries.push(`entity-role=${entityRole}`);
  }
  return queries;
}

describe('the BALP 1.1.4 examples', () => {
  it('are all there (46)', () => {
    expect(examples).toHaveLength(46);
  });

  it('are all accepted one by one by POST /fhir/AuditEvent (201), keeping their ids', async () => {
    for (const example of examples) {
      const res = await request(h.app)
        .post('/fhir/AuditEvent')
        .set('Authorization', `Bearer ${feeder}`)
        .send(example);
      expect({
        id: example.id,
        status: res.status,
        body: res.status === 201 ? undefined : res.body,
      }).toEqual({
        id: example.id,
        status: 201,
        body: undefined,
      });
      expect(res.body.id).toBe(example.id);
      expect(res.headers.location).toMatch(
        new RegExp(`/fhir/AuditEvent/${example.id ?? ''}/_history/1$`),
      );
    }
  });

  it('are acknowledged, not stored twice, when replayed as a batch (200 per entry)', async () => {
    const res = await request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${feeder}`)
      .send({
        resourceType: 'Bundle',
        type: 'batch',
        entry: examples.map((resource) => ({
          resource,
          request: { method: 'POST', url: 'AuditEvent' },
        })),
      })
      .expect(200);

    expect(res.body.type).toBe('batch-response');
    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(
      examples.map(() => '200 OK'),
    );
    expect((await h.log.head()).seq).toBe(46);
  });

  it.each(examples.map((e) => [e.id ?? '', e] as const))(
    'finds %s again with every ITI-81 query its content allows',
    async (id, example) => {
      for (const query of queriesFor(example)) {
        // The date bound leaves out the audit-of-audit events these searches record themselves.
        const res = await request(h.app)
          .get(`/fhir/AuditEvent?${query}&date=lt2024&_count=100`)
          .set('Authorization', `Bearer ${auditor}`);
        expect({ query, status: res.status }).toEqual({ query, status: 200 });
        const ids = (res.body.entry ?? []).map((e: { resource: AuditEvent }) => e.resource.id);
        expect({ query, found: ids.includes(id) }).toEqual({ query, found: true });
      }
    },
  );
});

describe('the MHD 4.2.3 audit examples', () => {
  const mhd = mhdExamples();

  it('are all accepted in one transaction Bundle and found again by id and subtype', async () => {
    const res = await request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${feeder}`)
      .send({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: mhd.map((resource) => ({
          resource,
          request: { method: 'POST', url: 'AuditEvent' },
        })),
      })
      .expect(200);
    expect(res.body.entry).toHaveLength(mhd.length);

    for (const event of mhd) {
      const subtype = event.subtype?.[0];
      const found = await request(h.app)
        .get(
          `/fhir/AuditEvent?_id=${event.id ?? ''}&subtype=${subtype?.system ?? ''}|${subtype?.code ?? ''}`,
        )
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect({ id: event.id, total: found.body.entry.length }).toEqual({ id: event.id, total: 1 });
    }
  });
});
