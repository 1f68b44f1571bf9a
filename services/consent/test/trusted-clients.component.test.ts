import request from 'supertest';
import type { Bundle } from 'fhir/r4';
import type { SearchQuery } from '@dmp/fhir';
import {
  auditorToken,
  hospitalToken,
  INS_SYSTEM,
  insNumber,
  openHarness,
  patientParameters,
  patientToken,
  professionalToken,
  systemToken,
  type Harness,
} from './harness';

/**
 * Finding 5 of the access-control review: a hospital's system token (every scope) learnt
 * blocks and DMP existence from the decision API, created emergency grants and notices in a
 * professional's name, and listed every patient's consents, grants and notices. Now only the
 * documents service's identity asks decisions, and software gets the DMP state of one named
 * patient, nothing else. Every refusal is in the audit trail.
 */
const INS = insNumber(41);
const OTHER_INS = insNumber(42);
const DR = '810000000011';

let h: Harness;
let hospital: string;
let documentsService: string;
let patientId: string;

const get = (path: string, token: string) =>
  request(h.app).get(path).set('Authorization', `Bearer ${token}`);
const post = (path: string, token: string, body: object) =>
  request(h.app).post(path).set('Authorization', `Bearer ${token}`).send(body);

const emergencyQuestion = {
  subject: { type: 'practitioner', id: DR, properties: { profession: '10' } },
  action: { name: 'read' },
  resource: { type: 'dmp', properties: { patient: { system: INS_SYSTEM, value: INS } } },
  context: { access_mode: 'bris_de_glace', access_reason: 'made up by a hospital system' },
};

async function count(resourceType: 'Consent' | 'Communication'): Promise<number> {
  const query: SearchQuery = {
    resourceType,
    filters: [],
    sort: [],
    count: 0,
    total: 'accurate',
    summaryCount: true,
  };
  return (await h.store.search(query)).total ?? -1;
}

async function refusalsTraced(): Promise<number> {
  const records = await h.store.outbox.claim('audit', 100_000, 0);
  return records.filter((r) => (r.payload as { outcome?: string }).outcome === '4').length;
}

beforeAll(async () => {
  h = await openHarness('trusted-clients');
  hospital = await hospitalToken(h.issuer);
  documentsService = await systemToken(h.issuer);
  for (const ins of [INS, OTHER_INS]) {
    const opened = await post(
      '/fhir/Patient/$dmp-open',
      await patientToken(h.issuer, ins),
      patientParameters(ins),
    ).expect(201);
    if (ins === INS) patientId = String((opened.body as { id: string }).id);
  }
});
afterAll(() => h.close());

describe('the decision API answers the documents service only', () => {
  it.each([
    ['/access/v1/evaluation', emergencyQuestion],
    ['/access/v1/evaluations', { ...emergencyQuestion, evaluations: [{}] }],
    [
      '/access/v1/invisible-patient-notices',
      { patient: { system: INS_SYSTEM, value: INS }, document: 'DocumentReference/x' },
    ],
  ])('a hospital system calling %s gets 403 and creates nothing', async (path, body) => {
    const grants = await count('Consent');
    const notices = await count('Communication');
    const traced = await refusalsTraced();

    const res = await post(path, hospital, body).expect(403);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUTH-SERVICE-ONLY');
    expect(JSON.stringify(res.body)).not.toMatch(/BLOCKED|DMP_NOT_FOUND|grant/i);
    expect(await count('Consent')).toBe(grants);
    expect(await count('Communication')).toBe(notices);
    expect(await refusalsTraced()).toBe(traced + 1);
  });

  it('the documents service identity gets its decision', async () => {
    const res = await post('/access/v1/evaluation', documentsService, {
      ...emergencyQuestion,
      context: {},
    }).expect(200);
    expect(typeof res.body.decision).toBe('boolean');
  });
});

describe('software gets the DMP state of one named patient, nothing else', () => {
  it.each(['/fhir/Consent', '/fhir/Communication', `/fhir/Consent?patient=Patient/${'x'}`])(
    'a hospital system listing %s gets 403',
    async (path) => {
      const res = await get(path, hospital).expect(403);
      expect(res.body.issue[0].details.coding[0].code).toBe('DMP-CONSENT-ACTOR-NOT-ALLOWED');
    },
  );

  it.each([
    ['no patient', '/fhir/Patient'],
    ['two patients', `/fhir/Patient?identifier=${INS_SYSTEM}|${INS},${INS_SYSTEM}|${OTHER_INS}`],
    ['a patient and more', `/fhir/Patient?identifier=${INS_SYSTEM}|${INS}&active=true`],
  ])('TD0.2 with %s is refused (400) to a hospital and a professional', async (_, path) => {
    const professional = await professionalToken(h.issuer, DR);
    for (const token of [hospital, professional]) {
      const res = await get(path, token).expect(400);
      expect(res.body.issue[0].details.coding[0].code).toBe('DMP-CONSENT-PATIENT-REQUIRED');
    }
  });

  it('TD0.2 for one INS answers that patient only', async () => {
    const res = await get(`/fhir/Patient?identifier=${INS_SYSTEM}|${INS}`, hospital).expect(200);

    const bundle = res.body as Bundle;
    expect(bundle.entry).toHaveLength(1);
    expect(JSON.stringify(bundle)).not.toContain(OTHER_INS);
  });

  it('a Patient by id is for the documents service (registry) and auditors only', async () => {
    const professional = await professionalToken(h.issuer, DR);
    for (const token of [hospital, professional]) {
      const res = await get(`/fhir/Patient/${patientId}`, token).expect(403);
      expect(JSON.stringify(res.body)).not.toContain(INS);
    }
    await get(`/fhir/Patient/${patientId}`, documentsService).expect(200);
    await get(`/fhir/Patient/${patientId}`, await auditorToken(h.issuer)).expect(200);
  });

  it('a hospital system cannot open, close or ask to erase a DMP; the operator can', async () => {
    for (const operation of ['$dmp-open', '$dmp-close', '$dmp-erase']) {
      await post(`/fhir/Patient/${operation}`, hospital, patientParameters(OTHER_INS)).expect(403);
    }
    const operator = await hospitalToken(h.issuer, 'dmp-operator');
    await post('/fhir/Patient/$dmp-close', operator, patientParameters(OTHER_INS)).expect(200);
  });
});
