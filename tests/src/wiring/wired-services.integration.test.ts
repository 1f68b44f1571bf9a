import type { Server } from 'node:http';
import type { AuditEvent } from 'fhir/r4';
import request from 'supertest';
import type { Actor } from '@dmp/auth';
import { describeAccessDeciderContract } from '../../../services/documents/src/ports/access-decider.contract';
import { AUDIT_TOPIC } from '@dmp/documents-service';
import { silentLogger } from '@dmp/http';
import { startAuditShipper, type AuditShipper } from '@dmp/runtime';
import {
  close,
  deciderAt,
  freePort,
  INS_SYSTEM,
  listen,
  openWired,
  type Wired,
} from './wired-harness';

const INS = '255081416802538'; // the contract suite's patient
const NO_DMP_INS = '180017512345660';

let w: Wired;
let patient: string;
let doctor: string;

beforeAll(async () => {
  w = await openWired();
  patient = await w.issuer.sign({
    sub: INS,
    scope: 'patient/Patient.crus patient/Consent.rus patient/DocumentReference.rs',
    extensions: {
      ihe_iua: { person_id: { system: INS_SYSTEM, value: INS } },
      fr_dmp: { actor_kind: 'patient' },
    },
  });
  doctor = await w.issuer.sign({
    sub: '810000000042',
    scope: 'user/DocumentReference.rs user/Binary.r',
    extensions: {
      ihe_iua: {
        subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
        national_provider_identifier: '810000000042',
      },
      fr_dmp: { actor_kind: 'practitioner', attestation: 'care_team' },
    },
  });
  await request(w.consent)
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${patient}`)
    .send({
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: INS } }],
    })
    .expect(201);
});
afterAll(() => w.close());

function actor(kind: Actor['kind'], extra: Partial<Actor> = {}): Actor {
  return {
    kind,
    id: '810000000042',
    roles: [],
    purposeOfUse: [],
    accessMode: 'normal',
    scopes: ['ITI-67'],
    issuer: 'test',
    ...extra,
  };
}

describeAccessDeciderContract({
  name: 'consent service over HTTP',
  decider: () => deciderAt(w.consentUrl, w.serviceToken),
  permitted: () => actor('practitioner', { profession: '10', attestation: 'care_team' }),
  refused: () => actor('auditor'),
});

describeAccessDeciderContract({
  name: 'consent service over HTTP, reusable permits kept (the product wiring)',
  decider: () => w.documentsInstance.point.decider,
  permitted: () => actor('practitioner', { profession: '10', attestation: 'care_team' }),
  refused: () => actor('auditor'),
});

const search = (ins: string) =>
  `/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${ins}&status=current`;

describe('documents asks consent for every access', () => {
  it('serves a search the consent service permits, and audits it in the outbox', async () => {
    const res = await request(w.documents)
      .get(search(INS))
      .set('Authorization', `Bearer ${doctor}`)
      .expect(200);

    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
  });

  it('refuses a patient without a DMP with DMP-PATIENT-NO-DMP', async () => {
    const res = await request(w.documents)
      .get(search(NO_DMP_INS))
      .set('Authorization', `Bearer ${doctor}`)
      .expect(422);

    expect(JSON.stringify(res.body)).toContain('DMP-PATIENT-NO-DMP');
  });

  it('answers 503 DMP-ACCESS-DECISION-UNAVAILABLE when consent cannot answer (fail closed)', async () => {
    const decider = deciderAt(`http://127.0.0.1:${await freePort()}`, w.serviceToken);

    const decision = await decider.decide(actor('practitioner', { profession: '10' }), {
      interaction: 'search',
      resourceType: 'DocumentReference',
      transaction: 'ITI-67',
      patient: { identifier: { system: INS_SYSTEM, value: INS } },
    });

    expect(decision.permit).toBe(false);
    if (!decision.permit) {
      expect(decision.error.status).toBe(503);
      expect(JSON.stringify(decision.error.outcome)).toContain('DMP-ACCESS-DECISION-UNAVAILABLE');
    }
  });
});

describe('audit shipping', () => {
  it('delivers every event exactly once after the audit service comes back', async () => {
    const port = await freePort();
    const auditUrl = `http://127.0.0.1:${port}`;
    const ship = (store: Wired['documentsStore']): AuditShipper =>
      startAuditShipper({
        outbox: store.outbox,
        topic: AUDIT_TOPIC,
        auditUrl,
        token: w.serviceToken,
        logger: silentLogger(),
        leaseMs: 500,
        idleMs: 20,
        minBackoffMs: 20,
        maxBackoffMs: 200,
      });
    let shippers: AuditShipper[] = [];
    let auditServer: Server | undefined;
    try {
      const requests = 1000;
      for (let i = 0; i < requests; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, k) =>
            request(w.documents)
              .get(search((i + k) % 10 === 0 ? NO_DMP_INS : INS))
              .set('Authorization', `Bearer ${doctor}`)
              .expect((i + k) % 10 === 0 ? 422 : 200),
          ),
        );
      }
      const expected = new Set<string>();
      for (const store of [w.documentsStore, w.consentStore]) {
        for (const record of await store.outbox.claim(AUDIT_TOPIC, 100_000, 0)) {
          expected.add((record.payload as AuditEvent).id ?? '');
        }
      }
      // Documents records every request (the search, or the refusal), consent every denial (the
      // one patient in ten without a DMP); a routine permit is recorded by documents alone.
      expect(expected.size).toBeGreaterThanOrEqual(requests + requests / 10);
      shippers = [ship(w.documentsStore), ship(w.consentStore)];
      await new Promise((resolve) => setTimeout(resolve, 300)); // failing, backing off

      auditServer = (await listen(w.audit, port)).server;
      await Promise.all(shippers.map((s) => s.drained()));

      const stored: string[] = [];
      for await (const record of w.auditLog.scan()) stored.push(record.id);
      expect(stored.length).toBe(expected.size);
      expect(new Set(stored)).toEqual(expected);
    } finally {
      await Promise.all(shippers.map((s) => s.stop()));
      if (auditServer) await close(auditServer);
    }
  }, 120_000);
});
