import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AuditEvent, Bundle } from 'fhir/r4';
import type { AccessPolicy } from '@dmp/consent-service';
import type { ServiceMetrics } from '@dmp/http';
import { benchIns } from '../../../services/documents/src/bench/bench-data';
import { openFeedProxy } from '../wiring/feed-proxy';
import { INS_SYSTEM, loadExamplePolicy, type DocumentsInstance } from '../wiring/wired-harness';
import {
  MASK_PATCH,
  change,
  claims,
  documentBundle,
  openWorld,
  ORG_A,
  patientParameter,
  type World,
} from './world';

/**
 * Decision reuse over HTTP on the wired services, the cache warm: every request that starts
 * after a change has been answered (a `$dmp-change` of each kind, `$dmp-close`, `$dmp-open`,
 * `$dmp-erase`, a policy reload), or after a grant or an authorization ended, is decided on the
 * new state, on every documents instance, including one that cannot read the change feed.
 * Each test works on a patient of its own.
 */
let world: World;
let consentOffsetMs = 0;
const example = loadExamplePolicy();
let policy: AccessPolicy = example;

beforeAll(async () => {
  world = await openWorld({
    consentNow: () => new Date(Date.now() + consentOffsetMs),
    loadPolicy: () => policy,
  });
}, 120_000);
afterAll(() => world.close());

const token = (c: Record<string, unknown>) => world.token(c);
const instanceA = () => world.wired.documentsInstance;
const search = (ins: string) =>
  `/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${ins}&status=current`;

function get(instance: DocumentsInstance, path: string, bearer: string) {
  return request(instance.app).get(path).set('Authorization', `Bearer ${bearer}`);
}

async function counted(metrics: ServiceMetrics, name: string, labels: Record<string, string>) {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}
const hits = (instance: DocumentsInstance) =>
  counted(instance.metrics, 'access_decision_cache_total', { result: 'hit' });
const evaluations = () => counted(world.wired.consentMetrics, 'access_evaluations_total', {});
const unacknowledged = () =>
  counted(world.wired.consentMetrics, 'consent_change_acknowledgements_total', {
    result: 'bound',
  });

/** Asks twice; the second answer must come from the cache (the feed just read up to date). */
async function warm(instance: DocumentsInstance, path: string, bearer: string): Promise<void> {
  await get(instance, path, bearer).expect(200);
  await instance.point.follower?.synced();
  const before = await hits(instance);
  await get(instance, path, bearer).expect(200);
  expect(await hits(instance)).toBe(before + 1);
}

function expectDenied(res: request.Response, reason: string): void {
  expect({ status: res.status, code: res.body.issue?.[0]?.details?.coding?.[0]?.code }).toEqual({
    status: 403,
    code: 'DMP-CONSENT-DENIED',
  });
  expect(res.body.issue[0].diagnostics ?? res.body.issue[0].details.text).toContain(reason);
}

async function consentCall(path: string, bearer: string, parameters: object[]) {
  const res = await request(world.wired.consent)
    .post(path)
    .set('Authorization', `Bearer ${bearer}`)
    .send({ resourceType: 'Parameters', parameter: parameters });
  expect({ path, status: res.status < 300 ? 'answered' : res.text }).toEqual({
    path,
    status: 'answered',
  });
  return res;
}

interface Fresh {
  ins: string;
  holder: string;
  documentId: string;
  changes(...changes: object[]): Promise<unknown>;
}

let patients = 0;
/** A patient with an open DMP and one document of their own, for one test. */
async function freshPatient(): Promise<Fresh> {
  patients += 1;
  const ins = benchIns(7100 + patients);
  const holder = await token(claims.patient(ins));
  await consentCall('/fhir/Patient/$dmp-open', holder, [patientParameter(ins)]);
  const hospital = await token(claims.system('chu-a', ORG_A));
  const res = await request(world.wired.documents)
    .post('/fhir')
    .set('Authorization', `Bearer ${hospital}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(documentBundle(ins, `CACHE-${randomUUID()}`)))
    .expect(200);
  const location = (res.body as Bundle).entry
    ?.map((e) => e.response?.location ?? '')
    .find((l) => l.startsWith('DocumentReference/'));
  return {
    ins,
    holder,
    documentId: location?.split('/')[1] ?? '',
    changes: (...changes: object[]) =>
      consentCall('/fhir/Consent/$dmp-change', holder, [patientParameter(ins), ...changes]),
  };
}

let professionals = 0;
const professional = () => `8100000072${String((professionals += 1)).padStart(2, '0')}`;
const careTeam = (id: string) =>
  token(claims.practitioner(id, { attestation: 'care_team' }, 'FINESS-CACHE'));
const withoutAttestation = (id: string) => token(claims.practitioner(id, {}, 'FINESS-CACHE'));

describe('a permit reused from the cache', () => {
  it('is asked of consent once, and every access is still recorded with its decision', async () => {
    const p = await freshPatient();
    const doctor = await careTeam(professional());
    const before = await evaluations();

    const first = await get(instanceA(), search(p.ins), doctor).expect(200);
    await instanceA().point.follower?.synced();
    const hitsBefore = await hits(instanceA());
    const second = await get(instanceA(), search(p.ins), doctor).expect(200);

    expect(await hits(instanceA())).toBe(hitsBefore + 1);
    expect(await evaluations()).toBe(before + 1);
    expect(second.body.entry).toHaveLength(1);
    const documentOf = (res: request.Response) => res.body.entry[0].resource.id as string;
    expect(documentOf(second)).toBe(documentOf(first));
    await world.drained();
    const decisions = [];
    for (const res of [first, second]) {
      const requestId = String(res.headers['x-request-id']);
      let found: AuditEvent | undefined;
      for await (const record of world.wired.auditLog.scan()) {
        const event = JSON.parse(record.json) as AuditEvent;
        if (event.entity?.some((e) => e.what?.identifier?.value === requestId)) found = event;
      }
      const entity = found?.entity?.find((e) => e.description === 'DMP access decision');
      decisions.push({
        id: entity?.what?.identifier?.value,
        detail: Object.fromEntries((entity?.detail ?? []).map((d) => [d.type, d.valueString])),
      });
    }
    expect(decisions[0]?.detail).toEqual({
      reasons: 'CARE_TEAM',
      'policy-version': example.version,
      reused: 'false',
    });
    expect(decisions[1]).toEqual({
      id: decisions[0]?.id,
      detail: { ...decisions[0]?.detail, reused: 'true' },
    });
  });
});

describe('every request that starts after a change answered is decided on the new state', () => {
  it('block, then unblock', async () => {
    const p = await freshPatient();
    const id = professional();
    const doctor = await careTeam(id);
    await warm(instanceA(), search(p.ins), doctor);

    await p.changes(change('block', id));
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'PROFESSIONAL_BLOCKED');

    await p.changes(change('unblock', id));
    await get(instanceA(), search(p.ins), doctor).expect(200);
  });

  it('authorize, then revoke', async () => {
    const p = await freshPatient();
    const id = professional();
    const doctor = await withoutAttestation(id);
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'NO_ATTESTATION');

    await p.changes(change('authorize', id));
    await warm(instanceA(), search(p.ins), doctor);

    await p.changes(change('revoke', id));
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'NO_ATTESTATION');
  });

  it('an authorization with a period is not reused beyond its end', async () => {
    const p = await freshPatient();
    const id = professional();
    const doctor = await withoutAttestation(id);
    const end = new Date(Date.now() + 2500);
    await p.changes(change('authorize', id, undefined, { end: end.toISOString() }));
    await warm(instanceA(), search(p.ins), doctor);

    await new Promise((resolve) => setTimeout(resolve, end.getTime() - Date.now() + 50));
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'NO_ATTESTATION');
  });

  it('mask a document', async () => {
    const p = await freshPatient();
    const doctor = await careTeam(professional());
    const read = `/fhir/DocumentReference/${p.documentId}`;
    await warm(instanceA(), read, doctor);
    await warm(instanceA(), search(p.ins), doctor);

    await request(world.wired.documents)
      .patch(read)
      .set('Authorization', `Bearer ${p.holder}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(MASK_PATCH))
      .expect(200);

    await get(instanceA(), read, doctor).expect(404);
    const found = await get(instanceA(), search(p.ins), doctor).expect(200);
    expect(found.body.entry ?? []).toEqual([]);
  });

  it('hide everything', async () => {
    const p = await freshPatient();
    const doctor = await careTeam(professional());
    await warm(instanceA(), search(p.ins), doctor);

    await p.changes(change('hide-everything', undefined, true));
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'PATIENT_HID_EVERYTHING');
  });

  it('close the DMP, reopen it, ask for its erasure', async () => {
    const p = await freshPatient();
    const doctor = await careTeam(professional());
    await warm(instanceA(), search(p.ins), doctor);

    await consentCall('/fhir/Patient/$dmp-close', p.holder, [patientParameter(p.ins)]);
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'DMP_CLOSED');

    await consentCall('/fhir/Patient/$dmp-open', p.holder, [patientParameter(p.ins)]);
    await warm(instanceA(), search(p.ins), doctor);

    await consentCall('/fhir/Patient/$dmp-erase', p.holder, [patientParameter(p.ins)]);
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'DMP_CLOSED');
  });

  it('an emergency grant that ended: break-glass is never reused, a new grant is made', async () => {
    const p = await freshPatient();
    const emergency = await token(
      claims.practitioner(professional(), {
        access_mode: 'bris_de_glace',
        access_reason: 'Patient inconscient',
      }),
    );
    const notices = async () =>
      (
        await request(world.wired.consent)
          .get(`/fhir/Communication?patient.identifier=${INS_SYSTEM}|${p.ins}`)
          .set('Authorization', `Bearer ${p.holder}`)
          .expect(200)
      ).body.entry?.length as number | undefined;
    const hitsBefore = await hits(instanceA());
    const evaluationsBefore = await evaluations();

    await get(instanceA(), search(p.ins), emergency).expect(200);
    await get(instanceA(), search(p.ins), emergency).expect(200);
    expect(await notices()).toBe(1);
    try {
      consentOffsetMs = (example.breakGlass.grantMinutes + 1) * 60_000;
      await get(instanceA(), search(p.ins), emergency).expect(200);
      expect(await notices()).toBe(2);
    } finally {
      consentOffsetMs = 0;
    }
    expect(await hits(instanceA())).toBe(hitsBefore);
    expect(await evaluations()).toBe(evaluationsBefore + 3);
  });

  it('reload the profession policy', async () => {
    const p = await freshPatient();
    const doctor = await careTeam(professional());
    await warm(instanceA(), search(p.ins), doctor);
    const operator = await token(claims.system('dmp-operator'));
    const reload = () =>
      request(world.wired.consent)
        .post('/admin/v1/policy/reload')
        .set('Authorization', `Bearer ${operator}`)
        .expect(200);
    try {
      const { '10': _doctors, ...others } = example.matrix;
      policy = { ...example, version: 'without-doctors', matrix: others };
      await reload();
      expectDenied(await get(instanceA(), search(p.ins), doctor), 'PROFESSION_NOT_IN_MATRIX');
    } finally {
      policy = example;
      await reload();
    }
    await get(instanceA(), search(p.ins), doctor).expect(200);
  });

  it('on every documents instance', async () => {
    const p = await freshPatient();
    const id = professional();
    const doctor = await careTeam(id);
    const instanceB = world.wired.openDocuments();
    await instanceB.point.follower?.followed();
    await warm(instanceA(), search(p.ins), doctor);
    await warm(instanceB, search(p.ins), doctor);

    await p.changes(change('block', id));
    expectDenied(await get(instanceA(), search(p.ins), doctor), 'PROFESSIONAL_BLOCKED');
    expectDenied(await get(instanceB, search(p.ins), doctor), 'PROFESSIONAL_BLOCKED');
  });

  it('on an instance that cannot read the change feed: consent answers within the bound, the instance has stopped reusing by then', async () => {
    const p = await freshPatient();
    const id = professional();
    const doctor = await careTeam(id);
    const proxy = await openFeedProxy(world.wired.consentUrl);
    try {
      const cutOff = world.wired.openDocuments(proxy.url);
      await cutOff.point.follower?.followed();
      await warm(cutOff, search(p.ins), doctor);
      await warm(instanceA(), search(p.ins), doctor);
      const before = await unacknowledged();

      proxy.cut();
      await p.changes(change('block', id));

      expect(await unacknowledged()).toBe(before + 1);
      expectDenied(await get(cutOff, search(p.ins), doctor), 'PROFESSIONAL_BLOCKED');
      expectDenied(await get(instanceA(), search(p.ins), doctor), 'PROFESSIONAL_BLOCKED');

      // Back on the feed, it reads what it missed and reuses decisions again.
      proxy.restore();
      await cutOff.point.follower?.synced();
      await p.changes(change('unblock', id));
      await warm(cutOff, search(p.ins), doctor);
    } finally {
      await proxy.close();
    }
  });
});
