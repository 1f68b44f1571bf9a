import type { Bundle, Communication, DocumentReference } from 'fhir/r4';
import request from 'supertest';
import { benchBundle, benchIns } from '../../../services/documents/src/bench/bench-data';
import { createConsentNotices, sweepInvisiblePatientNotices } from '@dmp/documents-service';
import { INS_SYSTEM, openWired, type Wired } from './wired-harness';

/**
 * SPEC C3.4 for real, through the wired apps: a document labelled `INVISIBLE_PATIENT` is kept
 * from its patient for one month after deposit, and the patient is notified once, two weeks
 * after deposit, unless the document was announced (label removed) before.
 */
const INS = benchIns(950);
const VISIBILITY = 'urn:oid:1.2.250.1.213.1.1.4.13';
const DAY = 86_400_000;
const NOW = new Date();
const ORG = '10000000001'; // the depositing structure (it may change its documents' labels)

let w: Wired;
let patient: string;
let hospital: string;

function bundle(text: string, daysAgo: number): Bundle {
  const provided = benchBundle(INS, Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`));
  const document = provided.entry?.[1]?.resource as DocumentReference;
  document.date = new Date(NOW.getTime() - daysAgo * DAY).toISOString();
  document.author = [
    ...(document.author ?? []),
    { type: 'Organization', identifier: { value: ORG } },
  ];
  document.securityLabel = [
    ...(document.securityLabel ?? []),
    { coding: [{ system: VISIBILITY, code: 'INVISIBLE_PATIENT' }] },
  ];
  return provided;
}

async function deposit(text: string, daysAgo: number): Promise<string> {
  const res = await request(w.documents)
    .post('/fhir')
    .set('Authorization', `Bearer ${hospital}`)
    .set('Content-Type', 'application/fhir+json')
    .send(bundle(text, daysAgo))
    .expect(200);
  const location = (res.body as Bundle).entry?.[1]?.response?.location ?? '';
  return /DocumentReference\/([^/]+)/.exec(location)?.[1] ?? '';
}

async function patientSees(): Promise<string[]> {
  const res = await request(w.documents)
    .get(`/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${INS}&status=current`)
    .set('Authorization', `Bearer ${patient}`)
    .expect(200);
  return ((res.body as Bundle).entry ?? []).map((e) => e.resource?.id ?? '');
}

async function notices(): Promise<Communication[]> {
  const res = await request(w.consent)
    .get(`/fhir/Communication?patient.identifier=${INS_SYSTEM}|${INS}`)
    .set('Authorization', `Bearer ${patient}`)
    .expect(200);
  return ((res.body as Bundle).entry ?? [])
    .map((e) => e.resource as Communication)
    .filter((c) => JSON.stringify(c.category).includes('invisible-patient-notice'));
}

const sweep = (at: Date) =>
  sweepInvisiblePatientNotices({
    store: w.documentsStore,
    notify: createConsentNotices({ baseUrl: w.consentUrl, token: w.serviceToken, timeoutMs: 2000 }),
    now: () => at,
  });

let twentyDays: string;
let fortyDays: string;
let threeDays: string;
let announced: string;

beforeAll(async () => {
  w = await openWired();
  patient = await w.issuer.sign({
    sub: INS,
    scope: 'patient/*.cruds',
    extensions: {
      ihe_iua: { person_id: { system: INS_SYSTEM, value: INS } },
      fr_dmp: { actor_kind: 'patient' },
    },
  });
  hospital = await w.issuer.sign({
    sub: 'hospital-software',
    scope: 'system/*.cruds',
    extensions: { ihe_iua: { subject_organization_id: ORG }, fr_dmp: { actor_kind: 'system' } },
  });
  await request(w.consent)
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${patient}`)
    .send({
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: INS } }],
    })
    .expect(201);
  twentyDays = await deposit('Résultat 20 jours', 20);
  fortyDays = await deposit('Résultat 40 jours', 40);
  threeDays = await deposit('Résultat 3 jours', 3);
  announced = await deposit('Résultat annoncé', 20);
});
afterAll(() => w.close());

describe('INVISIBLE_PATIENT (SPEC C3.4) through the wired services', () => {
  it('keeps a document from the patient for one month after deposit (search and read)', async () => {
    expect(await patientSees()).toEqual([fortyDays]);

    // Read by id: answered as an unknown id; the real reason is in the trace only.
    const read = await request(w.documents)
      .get(`/fhir/DocumentReference/${twentyDays}`)
      .set('Authorization', `Bearer ${patient}`)
      .expect(404);
    expect(JSON.stringify(read.body)).not.toMatch(/Résultat|INVISIBLE/);
    const traced = await w.documentsStore.outbox.claim('audit', 100_000, 0);
    const refusal = traced
      .map((r) => r.payload as { outcome?: string; outcomeDesc?: string })
      .find((e) => e.outcome === '4' && e.outcomeDesc?.includes('DOCUMENT_INVISIBLE_TO_PATIENT'));
    expect(refusal).toBeDefined();
    await request(w.documents)
      .get(`/fhir/DocumentReference/${fortyDays}`)
      .set('Authorization', `Bearer ${patient}`)
      .expect(200);
  });

  it('notifies the patient once, two weeks after deposit, unless the document was announced', async () => {
    // The announcement: the professional removes the label after the consultation d'annonce.
    await request(w.documents)
      .patch(`/fhir/DocumentReference/${announced}`)
      .set('Authorization', `Bearer ${hospital}`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'remove', path: '/securityLabel/1' }])
      .expect(200);

    expect(await sweep(NOW)).toBe(1);
    expect(await sweep(NOW)).toBe(1); // reported again: consent notifies once

    const sent = await notices();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.about?.[0]?.reference).toBe(`DocumentReference/${twentyDays}`);
    expect(sent[0]?.recipient?.[0]?.reference).toMatch(/^Patient\//);
  });

  it('runs on an injectable clock: later, the younger document is due and the older visible', async () => {
    const later = new Date(NOW.getTime() + 12 * DAY);

    expect(await sweep(later)).toBe(1); // threeDays is 15 days old; twentyDays is past a month
    const about = (await notices()).map((c) => c.about?.[0]?.reference).sort();
    expect(about).toEqual(
      [`DocumentReference/${threeDays}`, `DocumentReference/${twentyDays}`].sort(),
    );
  });
});
