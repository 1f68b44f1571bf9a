import request from 'supertest';
import type { AuditEvent, ParametersParameter } from 'fhir/r4';
import {
  auditorToken,
  dmpEvent,
  feederToken,
  openHarness,
  patientToken,
  professionalToken,
  type Harness,
} from './harness';

const ALICE = '285059900012303';
const DR_A = '810000000201';

let h: Harness;
let auditor: string;
let alice: string;

beforeAll(async () => {
  h = await openHarness('operations');
  auditor = await auditorToken(h.issuer);
  alice = await patientToken(h.issuer, ALICE);
  const feeder = await feederToken(h.issuer);
  const events = [
    dmpEvent({ ins: ALICE, idNat: DR_A, id: 'normal-read', recorded: '2025-02-01T08:00:00Z' }),
    dmpEvent({
      ins: ALICE,
      idNat: DR_A,
      id: 'btg-read',
      recorded: '2025-02-02T08:00:00Z',
      mode: 'bris_de_glace',
    }),
    dmpEvent({
      ins: ALICE,
      idNat: DR_A,
      id: 'samu-read',
      recorded: '2025-02-03T08:00:00Z',
      mode: 'centre_15',
    }),
    dmpEvent({
      ins: ALICE,
      idNat: DR_A,
      id: 'btg-2',
      recorded: '2025-02-04T08:00:00Z',
      mode: 'bris_de_glace',
    }),
    dmpEvent({
      ins: ALICE,
      idNat: DR_A,
      id: 'denied',
      recorded: '2025-02-05T08:00:00Z',
      outcome: '8',
    }),
    dmpEvent({
      ins: ALICE,
      idNat: DR_A,
      id: 'added',
      recorded: '2025-02-06T08:00:00Z',
      action: 'C',
    }),
  ];
  await request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${feeder}`)
    .send({
      resourceType: 'Bundle',
      type: 'batch',
      entry: events.map((resource) => ({ resource })),
    })
    .expect(200);
});

afterAll(() => h.close());

function lines(parameter: ParametersParameter[]): Record<string, unknown>[] {
  return parameter
    .filter((p) => p.name === 'line')
    .map((p) =>
      Object.fromEntries(
        (p.part ?? []).map((part) => [
          part.name,
          part.valueDateTime ?? part.valueString ?? part.valueCode ?? part.valueBoolean,
        ]),
      ),
    );
}

describe('the patient access history ($patient-history)', () => {
  it('lists when, who, profession, organization, what and how, highlighting break-glass and centre 15', async () => {
    const res = await request(h.app)
      .get('/fhir/AuditEvent/$patient-history?date=lt2026')
      .set('Authorization', `Bearer ${alice}`)
      .expect(200);

    expect(lines(res.body.parameter)).toEqual([
      {
        when: '2025-02-06T08:00:00Z',
        who: 'Dr Martin',
        profession: 'Médecin',
        organization: 'CH Test',
        what: 'added',
        document: 'Compte rendu opératoire',
        how: 'normal',
        highlighted: false,
      },
      {
        when: '2025-02-04T08:00:00Z',
        who: 'Dr Martin',
        profession: 'Médecin',
        organization: 'CH Test',
        what: 'consulted',
        document: 'Compte rendu opératoire',
        how: 'bris_de_glace',
        highlighted: true,
      },
      {
        when: '2025-02-03T08:00:00Z',
        who: 'Dr Martin',
        profession: 'Médecin',
        organization: 'CH Test',
        what: 'consulted',
        document: 'Compte rendu opératoire',
        how: 'centre_15',
        highlighted: true,
      },
      {
        when: '2025-02-02T08:00:00Z',
        who: 'Dr Martin',
        profession: 'Médecin',
        organization: 'CH Test',
        what: 'consulted',
        document: 'Compte rendu opératoire',
        how: 'bris_de_glace',
        highlighted: true,
      },
      {
        when: '2025-02-01T08:00:00Z',
        who: 'Dr Martin',
        profession: 'Médecin',
        organization: 'CH Test',
        what: 'consulted',
        document: 'Compte rendu opératoire',
        how: 'normal',
        highlighted: false,
      },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/10\.0\.0\.7|LPS client/);
  });

  it('pages with a next link', async () => {
    const res = await request(h.app)
      .get('/fhir/AuditEvent/$patient-history?date=lt2026&_count=2')
      .set('Authorization', `Bearer ${alice}`)
      .expect(200);
    expect(res.body.parameter.find((p: ParametersParameter) => p.name === 'next').valueUri).toMatch(
      /_cursor=/,
    );
  });

  it('is the patient’s own view: a professional gets 403', async () => {
    const pro = await professionalToken(h.issuer, DR_A);
    await request(h.app)
      .get('/fhir/AuditEvent/$patient-history')
      .set('Authorization', `Bearer ${pro}`)
      .expect(403);
  });
});

describe('break-glass review ($break-glass-review)', () => {
  const unreviewed = async (): Promise<string[]> => {
    const res = await request(h.app)
      .get('/fhir/AuditEvent/$break-glass-review')
      .set('Authorization', `Bearer ${auditor}`)
      .expect(200);
    const entries = res.body.entry as { resource: AuditEvent }[];
    return entries.map((e) => e.resource.id ?? '');
  };

  it('lists the break-glass accesses not yet reviewed, then records a review as a new event', async () => {
    expect(await unreviewed()).toEqual(['btg-2', 'btg-read']);

    const res = await request(h.app)
      .post('/fhir/AuditEvent/$break-glass-review')
      .set('Authorization', `Bearer ${auditor}`)
      .send({
        resourceType: 'Parameters',
        parameter: [
          { name: 'event', valueReference: { reference: 'AuditEvent/btg-read' } },
          { name: 'comment', valueString: 'Justified: unconscious patient' },
        ],
      })
      .expect(201);

    expect(res.body.entity[0].what.reference).toBe('AuditEvent/btg-read');
    expect(await unreviewed()).toEqual(['btg-2']);
  });

  it('refuses reviewing an event that is not a break-glass access (400)', async () => {
    const res = await request(h.app)
      .post('/fhir/AuditEvent/$break-glass-review')
      .set('Authorization', `Bearer ${auditor}`)
      .send({
        resourceType: 'Parameters',
        parameter: [{ name: 'event', valueReference: { reference: 'AuditEvent/normal-read' } }],
      })
      .expect(400);
    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUDIT-PARAMETER-INVALID');
  });

  it('answers malformed review bodies with 400, never 500', async () => {
    for (const body of [
      { resourceType: 'Patient' },
      { resourceType: 'Parameters', parameter: 'x' },
      { resourceType: 'Parameters', parameter: [null, 3] },
      { resourceType: 'Parameters', parameter: [] },
      {
        resourceType: 'Parameters',
        parameter: [{ name: 'event', valueReference: { reference: 'AuditEvent/unknown' } }],
      },
    ]) {
      const res = await request(h.app)
        .post('/fhir/AuditEvent/$break-glass-review')
        .set('Authorization', `Bearer ${auditor}`)
        .send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
  });

  it('is for auditors only (403)', async () => {
    await request(h.app)
      .get('/fhir/AuditEvent/$break-glass-review')
      .set('Authorization', `Bearer ${alice}`)
      .expect(403);
  });
});

describe('NDJSON export ($export)', () => {
  it('streams the events recorded in [from, to), one JSON per line, in sequence order', async () => {
    const res = await request(h.app)
      .get('/fhir/AuditEvent/$export?from=2025-02-02&to=2025-02-04')
      .set('Authorization', `Bearer ${auditor}`)
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => done(null, text));
      })
      .expect(200);

    expect(res.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
    const ids = (res.body as string)
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as AuditEvent).id);
    expect(ids).toEqual(['btg-read', 'samu-read', 'btg-2']);
  });

  it('refuses a missing or malformed range with 400 DMP-AUDIT-PARAMETER-INVALID', async () => {
    for (const query of ['', 'from=yesterday', 'from=2025-02-04&to=2025-02-01']) {
      const res = await request(h.app)
        .get(`/fhir/AuditEvent/$export?${query}`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(400);
      expect(res.body.issue[0].details.coding[0].code).toBe('DMP-AUDIT-PARAMETER-INVALID');
    }
  });
});

describe('checkpoints ($checkpoints)', () => {
  it('serves the public key and the signed checkpoints to auditors', async () => {
    await h.checkpointer.checkpoint();
    const res = await request(h.app)
      .get('/fhir/AuditEvent/$checkpoints')
      .set('Authorization', `Bearer ${auditor}`)
      .expect(200);
    const params = res.body.parameter as ParametersParameter[];
    expect(JSON.parse(params[0]?.valueString ?? '{}')).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
    });
    expect(params.filter((p) => p.name === 'checkpoint').length).toBeGreaterThan(0);
  });
});
