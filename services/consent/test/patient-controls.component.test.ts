import request from 'supertest';
import type { Consent, OperationOutcome } from 'fhir/r4';
import {
  change,
  auditorToken,
  INS_SYSTEM,
  openHarness,
  patientParameters,
  patientToken,
  professionalToken,
  type Harness,
} from './harness';

const INS = '279035121518989';
const DR = '810000000101';
const OTHER = '810000000102';

let h: Harness;
let patient: string;

beforeAll(async () => {
  h = await openHarness('controls');
  patient = await patientToken(h.issuer, INS);
});
afterAll(() => h.close());

function codeOf(body: unknown): string | undefined {
  return (body as OperationOutcome).issue[0]?.details?.coding?.[0]?.code;
}

function changeConsent(...changes: object[]) {
  return request(h.app)
    .post('/fhir/Consent/$dmp-change')
    .set('Authorization', `Bearer ${patient}`)
    .send(patientParameters(INS, ...changes));
}

/** Outcomes of the audit records waiting in the outbox, oldest first (a lease of 0 only peeks). */
async function auditOutcomes(): Promise<string[]> {
  const records = await h.store.outbox.claim('audit', 100_000, 0);
  return records.map((r) => String((r.payload as { outcome?: unknown }).outcome));
}

describe('DMP state and patient controls over HTTP', () => {
  it('answers TD0.2 with an empty Bundle before the DMP exists, then Patient.active=true once opened', async () => {
    const before = await request(h.app)
      .get(`/fhir/Patient?identifier=${INS_SYSTEM}|${INS}`)
      .set('Authorization', `Bearer ${patient}`)
      .expect(200);
    expect(before.body).not.toHaveProperty('entry');

    await request(h.app)
      .post('/fhir/Patient/$dmp-open')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters(INS))
      .expect(201);

    const after = await request(h.app)
      .get(`/fhir/Patient?identifier=${INS_SYSTEM}|${INS}`)
      .set('Authorization', `Bearer ${patient}`)
      .expect(200);
    expect(after.body.entry[0].resource).toMatchObject({ resourceType: 'Patient', active: true });
  });

  it('lets the patient authorize, block, oppose and name the médecin traitant in one new Consent version', async () => {
    const res = await changeConsent(
      change('authorize', DR, [{ name: 'period', valuePeriod: { end: '2099-12-31' } }]),
      change('block', OTHER),
      {
        name: 'change',
        part: [
          { name: 'type', valueCode: 'emergency-opposition' },
          { name: 'value', valueBoolean: true },
        ],
      },
      change('attending-physician', DR),
    ).expect(200);

    const consent = res.body as Consent;
    expect(consent.meta?.versionId).toBe('2');
    expect(res.headers.etag).toBe('W/"2"');
    expect(consent.scope.coding?.[0]?.code).toBe('patient-privacy');
    const nested = consent.provision?.provision ?? [];
    expect(nested.filter((p) => p.type === 'deny')).toHaveLength(2);
    expect(JSON.stringify(nested)).toContain(`Practitioner/${OTHER}`);
  });

  it('refuses a change that contradicts itself with 422 and leaves the Consent unchanged', async () => {
    const auditsBefore = await auditOutcomes();

    const res = await changeConsent(change('authorize', OTHER)).expect(422);

    // No change recorded; the refusal itself is traced (outcome 4).
    expect(await auditOutcomes()).toEqual([...auditsBefore, '4']);

    expect(codeOf(res.body)).toBe('DMP-CONSENT-CHANGE-INVALID');
    const search = await request(h.app)
      .get('/fhir/Consent?category=https://dmp.example.fr/fhir/CodeSystem/dmp-consent|dmp-consent')
      .set('Authorization', `Bearer ${patient}`)
      .expect(200);
    expect(search.body.entry[0].resource.meta.versionId).toBe('2');
  });

  it.each([
    ['a null parameter', null, 'Parameters.parameter[1]'],
    ['a part that is not an array', { name: 'change', part: 'x' }, 'Parameters.parameter[1].part'],
    [
      'a nameless part',
      { name: 'change', part: [{ valueCode: 'block' }] },
      'Parameters.parameter[1].part[0].name',
    ],
  ])('answers 400 to %s, changing nothing', async (_case, bad, expression) => {
    const auditsBefore = await auditOutcomes();

    const res = await changeConsent(bad as object).expect(400);

    expect(codeOf(res.body)).toBe('DMP-CONSENT-REQUEST-INVALID');
    expect(res.body.issue[0].expression).toEqual([expression]);
    expect(await auditOutcomes()).toEqual([...auditsBefore, '4']);
  });

  it('unblocks a professional, audits the change and keeps every version in the history', async () => {
    const auditsBefore = await h.store.outbox.pending('audit');

    const res = await changeConsent(change('unblock', OTHER)).expect(200);

    expect(await h.store.outbox.pending('audit')).toBe(auditsBefore + 1);
    const id = (res.body as Consent).id ?? '';

    const history = await request(h.app)
      .get(`/fhir/Consent/${id}/_history`)
      .set('Authorization', `Bearer ${patient}`)
      .expect(200);

    expect(history.body.type).toBe('history');
    expect(history.body.total).toBe(3);
    const v2 = await request(h.app)
      .get(`/fhir/Consent/${id}/_history/2`)
      .set('Authorization', `Bearer ${patient}`)
      .expect(200);
    expect(JSON.stringify(v2.body)).toContain(OTHER);
  });

  it('refuses a change against a stale If-Match with 412 and changes nothing', async () => {
    const res = await changeConsent(change('add-delegate', DR))
      .set('If-Match', 'W/"1"')
      .expect(412);

    expect(codeOf(res.body)).toBe('DMP-RESOURCE-VERSION-CONFLICT');
  });

  it('lets an auditor search consents with the SPEC E.1 parameters', async () => {
    const auditor = await auditorToken(h.issuer);

    const res = await request(h.app)
      .get(
        `/fhir/Consent?patient.identifier=${INS_SYSTEM}|${INS}&status=active&scope=patient-privacy&category=59284-0`,
      )
      .set('Authorization', `Bearer ${auditor}`)
      .expect(200);

    expect(res.body.entry).toHaveLength(1);
    expect(res.body.entry[0].resource.patient.identifier.value).toBe(INS);
  });

  it('lets an attested professional record an authorization but not block anyone', async () => {
    const pro = await professionalToken(h.issuer, OTHER, { attestation: 'consent' });

    await request(h.app)
      .post('/fhir/Consent/$dmp-change')
      .set('Authorization', `Bearer ${pro}`)
      .send(patientParameters(INS, change('authorize', OTHER)))
      .expect(200);
    const res = await request(h.app)
      .post('/fhir/Consent/$dmp-change')
      .set('Authorization', `Bearer ${pro}`)
      .send(patientParameters(INS, change('block', DR)))
      .expect(403);
    expect(codeOf(res.body)).toBe('DMP-CONSENT-ACTOR-NOT-ALLOWED');
  });

  it('closes the DMP (Patient.active=false with date and reason) and re-opens it', async () => {
    const closed = await request(h.app)
      .post('/fhir/Patient/$dmp-close')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters(INS, { name: 'reasonText', valueString: 'moving abroad' }))
      .expect(200);
    expect(closed.body.active).toBe(false);
    expect(JSON.stringify(closed.body.extension)).toContain('patient-request');

    const refused = await changeConsent(change('authorize', DR)).expect(409);
    expect(codeOf(refused.body)).toBe('DMP-CONSENT-DMP-CLOSED');

    const reopened = await request(h.app)
      .post('/fhir/Patient/$dmp-open')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters(INS))
      .expect(200);
    expect(reopened.body.active).toBe(true);
    expect(reopened.body.extension).toBeUndefined();
  });

  it('records an erase request with its three-month deadline', async () => {
    const res = await request(h.app)
      .post('/fhir/Patient/$dmp-erase')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters(INS))
      .expect(200);

    expect(res.body.active).toBe(false);
    const erase = res.body.extension.find((e: { url: string }) =>
      e.url.endsWith('dmp-erase-request'),
    );
    const [requested, deadline] = erase.extension.map((e: { valueDateTime: string }) =>
      Date.parse(e.valueDateTime),
    );
    expect((deadline - requested) / 86_400_000).toBeGreaterThanOrEqual(89);
  });

  it('answers 400 DMP-INS-INVALID to an INS with a wrong key, and 403 to another patient', async () => {
    const bad = await request(h.app)
      .post('/fhir/Patient/$dmp-open')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters('279035121518988'))
      .expect(400);
    expect(codeOf(bad.body)).toBe('DMP-INS-INVALID');

    const other = await request(h.app)
      .post('/fhir/Patient/$dmp-open')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters('180017512345660'))
      .expect(403);
    expect(codeOf(other.body)).toBe('DMP-CONSENT-PATIENT-MISMATCH');
  });
});
