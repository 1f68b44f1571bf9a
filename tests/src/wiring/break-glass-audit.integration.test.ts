import type { AuditEvent, Bundle } from 'fhir/r4';
import request from 'supertest';
import { benchBundle, benchIns } from '../../../services/documents/src/bench/bench-data';
import { AUDIT_TOPIC } from '@dmp/documents-service';
import { silentLogger } from '@dmp/http';
import { startAuditShipper } from '@dmp/runtime';
import { close, INS_SYSTEM, listen, openWired, type Wired } from './wired-harness';

/**
 * The documents service's own AuditEvents follow the consent service's answer (SPEC C2.9,
 * D.5): a break-glass search and retrieve carry purposeOfEvent `ETREAT` + `BTG` and the French
 * access mode, with the justification and the emergency grant; an auditor's ITI-81 query finds
 * them once the outbox is shipped.
 */
const INS = benchIns(951);
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ACCESS_MODE = 'urn:oid:1.2.250.1.213.1.1.4.248';
const REASON = 'Patient inconscient aux urgences';

let w: Wired;

beforeAll(async () => {
  w = await openWired();
  const patient = await w.issuer.sign({
    sub: INS,
    scope: 'patient/*.cruds',
    extensions: {
      ihe_iua: { person_id: { system: INS_SYSTEM, value: INS } },
      fr_dmp: { actor_kind: 'patient' },
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
  const hospital = await w.issuer.sign({
    sub: 'hospital-software',
    scope: 'system/*.cruds',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
  await request(w.documents)
    .post('/fhir')
    .set('Authorization', `Bearer ${hospital}`)
    .set('Content-Type', 'application/fhir+json')
    .send(benchBundle(INS, Buffer.from('%PDF-1.4\nAllergies\n%%EOF\n')))
    .expect(200);
});
afterAll(() => w.close());

const codesOf = (event: AuditEvent) =>
  (event.purposeOfEvent ?? []).flatMap((p) =>
    (p.coding ?? []).map((c) => `${c.system ?? ''}|${c.code ?? ''}`),
  );

it('an auditor finds the break-glass ITI-67 and ITI-68 events of documents with BTG, ETREAT, the mode and the reason', async () => {
  const emergency = await w.issuer.sign({
    sub: '810000000103',
    scope: 'user/DocumentReference.rs user/Binary.r',
    extensions: {
      ihe_iua: {
        subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
        national_provider_identifier: '810000000103',
      },
      fr_dmp: { actor_kind: 'practitioner', access_mode: 'bris_de_glace', access_reason: REASON },
    },
  });
  const found = await request(w.documents)
    .get(`/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${INS}&status=current`)
    .set('Authorization', `Bearer ${emergency}`)
    .expect(200);
  const url = (found.body as Bundle).entry?.[0]?.resource;
  const binary = /Binary\/([^/]+)$/.exec(
    (url as { content?: { attachment: { url?: string } }[] }).content?.[0]?.attachment.url ?? '',
  )?.[1];
  await request(w.documents)
    .get(`/fhir/Binary/${binary ?? ''}`)
    .set('Authorization', `Bearer ${emergency}`)
    .set('Accept', 'application/fhir+json')
    .expect(200);

  const { server, url: auditUrl } = await listen(w.audit);
  const shipper = startAuditShipper({
    outbox: w.documentsStore.outbox,
    topic: AUDIT_TOPIC,
    auditUrl,
    token: w.serviceToken,
    logger: silentLogger(),
    idleMs: 20,
  });
  try {
    await shipper.drained();
  } finally {
    await shipper.stop();
    await close(server);
  }

  const auditor = await w.issuer.sign({
    sub: 'dmp-auditor',
    scope: 'system/AuditEvent.rs',
    extensions: { fr_dmp: { actor_kind: 'auditor' } },
  });
  const res = await request(w.audit)
    .get(
      `/fhir/AuditEvent?purpose-of-use=${ACT_REASON}|BTG&patient.identifier=${INS_SYSTEM}|${INS}`,
    )
    .set('Authorization', `Bearer ${auditor}`)
    .expect(200);
  const events = ((res.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
  const byTransaction = (code: string) =>
    events.find((e) => e.subtype?.some((s) => s.code === code));

  for (const transaction of ['ITI-67', 'ITI-68']) {
    const event = byTransaction(transaction);
    expect(event).toBeDefined();
    if (!event) continue;
    expect(codesOf(event)).toEqual(
      expect.arrayContaining([
        `${ACT_REASON}|ETREAT`,
        `${ACT_REASON}|BTG`,
        `${ACCESS_MODE}|bris_de_glace`,
      ]),
    );
    const user = event.agent.find((a) => a.requestor);
    expect(JSON.stringify(user?.purposeOfUse)).toContain('bris_de_glace');
    const reason = event.entity?.find((e) => e.detail?.some((d) => d.type === 'reason'));
    expect(reason?.detail?.[0]?.valueString).toBe(REASON);
    expect(reason?.what?.reference).toMatch(/^Consent\//); // the emergency grant
  }
});
