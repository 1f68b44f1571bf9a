import request from 'supertest';
import {
  change,
  openHarness,
  patientParameters,
  patientToken,
  professionalToken,
  systemToken,
  type Harness,
} from './harness';

const INS = '285059900012303';
const DR = '810000000201';
const MT = '810000000202';
const BLOCKED = '810000000203';

let h: Harness;
let service: string;
let patient: string;

function evaluate(body: object) {
  return request(h.app)
    .post('/access/v1/evaluation')
    .set('Authorization', `Bearer ${service}`)
    .send(body);
}

function question(
  subjectId: string,
  context: object = {},
  resource: object = {},
  properties: object = {},
) {
  return {
    subject: {
      type: 'practitioner',
      id: subjectId,
      properties: { profession: '10', organization_id: 'ORG-A', ...properties },
    },
    action: { name: 'read' },
    resource: { type: 'dmp', properties: { patient: INS }, ...resource },
    context: { attestation: 'care_team', ...context },
  };
}

const maskedReport = {
  type: 'DocumentReference',
  properties: {
    patient: INS,
    class: '10',
    type: '11488-4',
    security_labels: ['N', 'MASQUE_PS'],
    author: '810000000999',
  },
};

beforeAll(async () => {
  h = await openHarness('decisions');
  service = await systemToken(h.issuer);
  patient = await patientToken(h.issuer, INS);
  await request(h.app)
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${patient}`)
    .send(patientParameters(INS))
    .expect(201);
  await request(h.app)
    .post('/fhir/Consent/$dmp-change')
    .set('Authorization', `Bearer ${patient}`)
    .send(patientParameters(INS, change('attending-physician', MT), change('block', BLOCKED)))
    .expect(200);
});
afterAll(() => h.close());

describe('the access decision endpoint (AuthZEN)', () => {
  it('permits a care-team read with the masking, author and matrix obligations, reusable, leaving its record to the access it allows', async () => {
    const auditsBefore = await h.store.outbox.pending('audit');

    const res = await evaluate(question(DR)).expect(200);

    // A routine permit is recorded by the documents service's AuditEvent of the access, with
    // this decision's id, reasons and policy version: no second durable record here.
    expect(await h.store.outbox.pending('audit')).toBe(auditsBefore);
    expect(res.body.context).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      policy_version: expect.any(String),
      reasons: [{ code: 'CARE_TEAM' }],
      reuse: {},
    });

    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.decision).toBe(true);
    expect(res.body.context.obligations).toMatchObject({
      exclude_labels: ['MASQUE_PS'],
      author_exception: { professional: DR, organization: 'ORG-A' },
      allowed_classes: '*',
      notify_patient: false,
    });
  });

  it('records every denial and every emergency permit durably, and never lets them be reused', async () => {
    const auditsBefore = await h.store.outbox.pending('audit');

    const denied = await evaluate(question(BLOCKED)).expect(200);
    const emergency = await evaluate(
      question(DR, { access_mode: 'centre_15', attestation: 'regulation' }),
    ).expect(200);

    expect(denied.body.decision).toBe(false);
    expect(emergency.body.decision).toBe(true);
    expect(await h.store.outbox.pending('audit')).toBeGreaterThanOrEqual(auditsBefore + 2);
    const records = await h.store.outbox.claim('audit', 100_000, 0);
    const ids = records.map((r) => (r.payload as { id?: string }).id);
    expect(ids).toContain(denied.body.context.id);
    expect(ids).toContain(emergency.body.context.id);
    expect(denied.body.context.reuse).toBeUndefined();
    expect(emergency.body.context.reuse).toBeUndefined();
  });

  it('applies block > opposition > mask > permit', async () => {
    const blocked = await evaluate(
      question(BLOCKED, { access_mode: 'bris_de_glace', access_reason: 'coma' }),
    ).expect(200);
    expect(blocked.body.decision).toBe(false);
    expect(blocked.body.context.reasons[0].code).toBe('PROFESSIONAL_BLOCKED');

    const masked = await evaluate(question(DR, {}, maskedReport)).expect(200);
    expect(masked.body.context.reasons[0].code).toBe('DOCUMENT_MASKED');

    const attending = await evaluate(question(MT, {}, maskedReport)).expect(200);
    expect(attending.body.decision).toBe(true);
  });

  it('says a document is masked without claiming the patient masked it (its author may have)', async () => {
    const byAuthor = {
      ...maskedReport,
      properties: { ...maskedReport.properties, authors: ['810000000999'] },
    };

    const masked = await evaluate(question(DR, {}, byAuthor)).expect(200);

    expect(masked.body.decision).toBe(false);
    expect(masked.body.context.reasons).toEqual([
      {
        code: 'DOCUMENT_MASKED',
        text: 'This document is masked from professionals (MASQUE_PS)',
      },
    ]);
  });

  it('answers a batch with one decision per evaluation, defaults from the top level', async () => {
    const res = await request(h.app)
      .post('/access/v1/evaluations')
      .set('Authorization', `Bearer ${service}`)
      .send({
        ...question(DR),
        evaluations: [{}, { subject: { type: 'practitioner', id: BLOCKED } }],
      })
      .expect(200);

    expect(res.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([
      true,
      false,
    ]);
  });

  it('turns break-glass into a time-boxed grant and notifies the patient and the médecin traitant once', async () => {
    const first = await evaluate(
      question(DR, { access_mode: 'bris_de_glace', access_reason: 'unconscious' }),
    ).expect(200);
    const again = await evaluate(
      question(DR, { access_mode: 'bris_de_glace', access_reason: 'unconscious' }),
    ).expect(200);

    const breakGlass = first.body.context.obligations.break_glass;
    expect(breakGlass.mode).toBe('bris_de_glace');
    expect(Date.parse(breakGlass.expires_at)).toBeGreaterThan(Date.now());
    expect(again.body.context.obligations.break_glass.grant).toBe(breakGlass.grant);
    const notes = await request(h.app)
      .get('/fhir/Communication')
      .set('Authorization', `Bearer ${patient}`)
      .expect(200);
    expect(notes.body.entry).toHaveLength(1);
    const mt = await professionalToken(h.issuer, MT);
    const mtNotes = await request(h.app)
      .get('/fhir/Communication')
      .set('Authorization', `Bearer ${mt}`)
      .expect(200);
    expect(mtNotes.body.entry).toHaveLength(1);
  });

  it('lets a professional declare break-glass through $break-glass, refused once the patient opposes', async () => {
    const pro = await professionalToken(h.issuer, '810000000204', {
      mode: 'bris_de_glace',
      reason: 'cardiac arrest',
    });
    const granted = await request(h.app)
      .post('/fhir/Consent/$break-glass')
      .set('Authorization', `Bearer ${pro}`)
      .send(patientParameters(INS))
      .expect(201);
    expect(granted.body.provision.period.end).toBeDefined();

    await request(h.app)
      .post('/fhir/Consent/$dmp-change')
      .set('Authorization', `Bearer ${patient}`)
      .send(
        patientParameters(INS, {
          name: 'change',
          part: [
            { name: 'type', valueCode: 'emergency-opposition' },
            { name: 'value', valueBoolean: true },
          ],
        }),
      )
      .expect(200);
    const other = await professionalToken(h.issuer, '810000000205', {
      mode: 'bris_de_glace',
      reason: 'cardiac arrest',
    });
    const refused = await request(h.app)
      .post('/fhir/Consent/$break-glass')
      .set('Authorization', `Bearer ${other}`)
      .send(patientParameters(INS))
      .expect(403);
    expect(refused.body.issue[0].details.coding[0].code).toBe('DMP-CONSENT-DENIED');
  });

  it('rejects bad requests with 4xx OperationOutcomes', async () => {
    const noPatient = await evaluate({
      ...question(DR),
      resource: { type: 'dmp', properties: {} },
    }).expect(400);
    expect(noPatient.body.issue[0].details.coding[0].code).toBe('DMP-CONSENT-PATIENT-REQUIRED');
    const noReason = await evaluate(question(DR, { access_mode: 'bris_de_glace' })).expect(400);
    expect(noReason.body.issue[0].details.coding[0].code).toBe(
      'DMP-CONSENT-BREAK-GLASS-REASON-REQUIRED',
    );
    const badAction = await evaluate({ ...question(DR), action: { name: 'steal' } }).expect(400);
    expect(badAction.body.issue[0].details.coding[0].code).toBe('DMP-CONSENT-REQUEST-INVALID');
    const asPatient = await request(h.app)
      .post('/access/v1/evaluation')
      .set('Authorization', `Bearer ${patient}`)
      .send(question(DR))
      .expect(403);
    expect(asPatient.body.issue[0].details.coding[0].code).toBe('DMP-AUTH-SERVICE-ONLY');
  });

  it('denies everyone but the holder once the DMP is closed', async () => {
    await request(h.app)
      .post('/fhir/Patient/$dmp-close')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters(INS))
      .expect(200);

    const res = await evaluate(question(MT)).expect(200);

    expect(res.body.context.reasons[0].code).toBe('DMP_CLOSED');
  });
});
