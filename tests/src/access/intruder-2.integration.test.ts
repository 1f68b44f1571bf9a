import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Bundle, List } from 'fhir/r4';
import { INS_SYSTEM, loadExamplePolicy } from '../wiring/wired-harness';
import type { AccessPolicy } from '@dmp/consent-service';
import {
  MASK_PATCH,
  change,
  claims,
  documentBundle,
  INS_A,
  INS_B,
  openWorld,
  ORG_A,
  ORG_B,
  patientParameter,
  PS,
  type World,
} from './world';
import { benchIns } from '../../../services/documents/src/bench/bench-data';

/**
 * The intruder's second pass, over HTTP on the wired services with decision reuse on, at the
 * features that landed last: the decision cache (a permit kept for one caller served to another,
 * or surviving a change, on every path), and searches' result parameters. Each test states the
 * safe behaviour; where one failed, the fix is named in its title.
 */
let world: World;
const example = loadExamplePolicy();
let policy: AccessPolicy = example;

beforeAll(async () => {
  world = await openWorld({ loadPolicy: () => policy });
}, 120_000);
afterAll(() => world.close());

const token = (c: Record<string, unknown>) => world.token(c);
const docs = () => request(world.wired.documents);
const get = (path: string, bearer: string) =>
  docs().get(path).set('Authorization', `Bearer ${bearer}`);

/** Asks the same question again once the feed is read, so that the permit is kept. */
async function warmed(path: string, bearer: string): Promise<void> {
  await get(path, bearer).expect(200);
  await world.wired.documentsInstance.point.follower?.synced();
  await get(path, bearer).expect(200);
}

/** A refusal of something named by id: 404, not a byte of it. */
async function hidden(path: string, bearer: string, marker?: string): Promise<void> {
  const res = await get(path, bearer);
  expect({ path, status: res.status }).toEqual({ path, status: 404 });
  if (marker) expect(res.text).not.toContain(marker);
}

/** A practitioner token with every claim spelled out, for variations of one claim. */
function practitioner(
  overrides: {
    sub?: string;
    npi?: string | null;
    profession?: string;
    org?: string;
    attestation?: string | null;
    mode?: string;
    reason?: string;
    personId?: string;
    scope?: string;
    name?: string;
    clientId?: string;
  } = {},
) {
  const sub = overrides.sub ?? PS.careTeam;
  const npi = overrides.npi === undefined ? sub : overrides.npi;
  return token({
    sub,
    scope: overrides.scope ?? 'user/*.cruds',
    ...(overrides.clientId ? { client_id: overrides.clientId } : {}),
    extensions: {
      ihe_iua: {
        subject_name: overrides.name ?? `Dr ${sub}`,
        subject_role: [
          { system: 'urn:oid:1.2.250.1.71.1.2.7', code: overrides.profession ?? '10' },
        ],
        ...(npi !== null ? { national_provider_identifier: npi } : {}),
        ...(overrides.org ? { subject_organization_id: overrides.org } : {}),
        ...(overrides.personId
          ? { person_id: { system: INS_SYSTEM, value: overrides.personId } }
          : {}),
      },
      fr_dmp: {
        actor_kind: 'practitioner',
        ...(overrides.attestation === null
          ? {}
          : { attestation: overrides.attestation ?? 'care_team' }),
        ...(overrides.mode ? { access_mode: overrides.mode } : {}),
        ...(overrides.reason ? { access_reason: overrides.reason } : {}),
      },
    },
  });
}

describe('a permit kept for one caller is never served to another', () => {
  const plain = () => `/fhir/DocumentReference/${world.documents.plain.id}`;
  const masked = () => `/fhir/DocumentReference/${world.documents.masked.id}`;

  it('organization: the authors’ establishment sees its masked document, another does not', async () => {
    await warmed(masked(), await practitioner({ org: ORG_A }));
    await hidden(masked(), await practitioner({ org: ORG_B }), world.documents.masked.marker);
    await hidden(masked(), await practitioner({}), world.documents.masked.marker);
  });

  it('attestation: the same professional without one', async () => {
    await warmed(plain(), await practitioner({}));
    await hidden(plain(), await practitioner({ attestation: null }), world.documents.plain.marker);
    await hidden(
      plain(),
      await practitioner({ attestation: 'regulation' }),
      world.documents.plain.marker,
    );
  });

  it('profession: a profession the matrix keeps from this class of document', async () => {
    await warmed(plain(), await practitioner({}));
    await hidden(plain(), await practitioner({ profession: '21' }), world.documents.plain.marker);
    await hidden(plain(), await practitioner({ profession: '99' }), world.documents.plain.marker);
  });

  it('access mode: the same care-team token in centre 15 mode without the regulation attestation', async () => {
    await warmed(plain(), await practitioner({}));
    await hidden(plain(), await practitioner({ mode: 'centre_15' }), world.documents.plain.marker);
    // Break-glass is decided every time: what was kept in normal mode is not what it sees.
    await warmed(masked(), await practitioner({ sub: PS.attending, attestation: null }));
    await hidden(
      masked(),
      await practitioner({
        sub: PS.attending,
        attestation: null,
        profession: '21',
        mode: 'bris_de_glace',
        reason: 'Patient inconscient',
      }),
      world.documents.masked.marker,
    );
  });

  it('patient binding: a token bound to another patient', async () => {
    await warmed(plain(), await practitioner({}));
    await hidden(plain(), await practitioner({ personId: INS_B }), world.documents.plain.marker);
  });

  it('scopes: a token without the read scope', async () => {
    await warmed(plain(), await practitioner({}));
    const res = await get(plain(), await practitioner({ scope: 'user/DocumentReference.s' }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.text).not.toContain(world.documents.plain.marker);
  });

  it('idNat_PS: the decision is about national_provider_identifier, whatever sub says', async () => {
    // The médecin traitant sees masked documents; a token whose sub is theirs but whose idNat is
    // a stranger's is the stranger.
    await warmed(masked(), await practitioner({ sub: PS.attending, attestation: null }));
    await hidden(
      masked(),
      await practitioner({ sub: PS.attending, npi: PS.stranger, attestation: null }),
      world.documents.masked.marker,
    );
    await hidden(
      plain(),
      await practitioner({ sub: PS.attending, npi: PS.stranger, attestation: null }),
    );
  });

  it('client_id and subject name change nothing; sub names the software', async () => {
    const hospital = await token(claims.system('chu-a', ORG_A));
    await warmed(plain(), hospital);
    const other = await token({
      ...claims.system('chu-b', ORG_B),
      client_id: 'chu-a',
    });
    await hidden(plain(), other, world.documents.plain.marker);
  });

  it('kind: a practitioner whose sub is a hospital’s client id, a patient’s INS', async () => {
    await warmed(plain(), await token(claims.system('chu-a', ORG_A)));
    await hidden(plain(), await practitioner({ sub: 'chu-a', npi: null, attestation: null }));

    // The holder's changes may be kept (no clock in them): a `test` patch shows the document.
    const holder = await token(claims.patient(INS_A));
    const testPatch = [{ op: 'test', path: '/status', value: 'current' }];
    const patch = (bearer: string) =>
      docs()
        .patch(plain())
        .set('Authorization', `Bearer ${bearer}`)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify(testPatch));
    await patch(holder).expect(200);
    await patch(holder).expect(200);
    const impostor = await practitioner({ sub: INS_A, npi: null, attestation: null });
    const res = await patch(impostor);
    expect(res.status).toBe(404);
    // A patient token bound to B with A's INS as sub is patient B.
    const otherPatient = await token({ ...claims.patient(INS_B), sub: INS_A });
    await hidden(plain(), otherPatient, world.documents.plain.marker);
  });
});

/** A patient of one test, with an open DMP and one document of theirs, from hospital A. */
let patients = 0;
async function freshPatient() {
  patients += 1;
  const ins = benchIns(7400 + patients);
  const holder = await token(claims.patient(ins));
  const consent = (path: string, parameters: object[]) =>
    request(world.wired.consent)
      .post(path)
      .set('Authorization', `Bearer ${holder}`)
      .send({ resourceType: 'Parameters', parameter: parameters })
      .expect((res) => {
        if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.text}`);
      });
  await consent('/fhir/Patient/$dmp-open', [patientParameter(ins)]);
  const marker = `FRESH-${randomUUID()}`;
  const res = await docs()
    .post('/fhir')
    .set('Authorization', `Bearer ${await token(claims.system('chu-a', ORG_A))}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(documentBundle(ins, marker)))
    .expect(200);
  const locations = (res.body as Bundle).entry?.map((e) => e.response?.location ?? '') ?? [];
  const idOf = (type: string) =>
    locations.find((l) => l.startsWith(`${type}/`))?.split('/')[1] ?? '';
  const id = idOf('DocumentReference');
  return {
    ins,
    holder,
    marker,
    paths: [
      `/fhir/DocumentReference/${id}`,
      `/fhir/DocumentReference/${id}/_history/1`,
      `/fhir/DocumentReference/${id}/_history`,
      `/fhir/Binary/${idOf('Binary')}`,
    ],
    id,
    changes: (...changes: object[]) =>
      consent('/fhir/Consent/$dmp-change', [patientParameter(ins), ...changes]),
    close: () => consent('/fhir/Patient/$dmp-close', [patientParameter(ins)]),
  };
}

let professionals = 0;
const professional = () => `8100000074${String((professionals += 1)).padStart(2, '0')}`;

describe('a kept permit does not survive a change, on read, vread, history, Binary and PATCH', () => {
  type Fresh = Awaited<ReturnType<typeof freshPatient>>;
  const testPatch = (p: Fresh, bearer: string) =>
    docs()
      .patch(`/fhir/DocumentReference/${p.id}`)
      .set('Authorization', `Bearer ${bearer}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'test', path: '/status', value: 'current' }]));

  async function warmAll(p: Fresh, bearer: string): Promise<void> {
    for (const path of p.paths) await warmed(path, bearer);
    await testPatch(p, bearer).expect(200);
    await testPatch(p, bearer).expect(200);
  }

  async function allHidden(p: Fresh, bearer: string): Promise<void> {
    for (const path of p.paths) await hidden(path, bearer, p.marker);
    expect((await testPatch(p, bearer)).status).toBe(404);
  }

  it('block', async () => {
    const p = await freshPatient();
    const id = professional();
    const doctor = await practitioner({ sub: id });
    await warmAll(p, doctor);
    await p.changes(change('block', id));
    await allHidden(p, doctor);
  });

  it('hide everything', async () => {
    const p = await freshPatient();
    const doctor = await practitioner({ sub: professional() });
    await warmAll(p, doctor);
    await p.changes(change('hide-everything', undefined, true));
    await allHidden(p, doctor);
  });

  it('revoke an authorization, and one that ends', async () => {
    const p = await freshPatient();
    const id = professional();
    const doctor = await practitioner({ sub: id, attestation: null });
    await p.changes(change('authorize', id));
    await warmAll(p, doctor);
    await p.changes(change('revoke', id));
    await allHidden(p, doctor);

    const end = new Date(Date.now() + 2500);
    await p.changes(change('authorize', id, undefined, { end: end.toISOString() }));
    await warmAll(p, doctor);
    await new Promise((resolve) => setTimeout(resolve, end.getTime() - Date.now() + 50));
    await allHidden(p, doctor);
  });

  it('mask the document (its author’s structure still sees it, a care team no more)', async () => {
    const p = await freshPatient();
    const doctor = await practitioner({ sub: professional() });
    await warmAll(p, doctor);
    await docs()
      .patch(`/fhir/DocumentReference/${p.id}`)
      .set('Authorization', `Bearer ${p.holder}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(MASK_PATCH))
      .expect(200);
    await allHidden(p, doctor);
  });

  it('close the DMP', async () => {
    const p = await freshPatient();
    const doctor = await practitioner({ sub: professional() });
    const hospital = await token(claims.system('chu-a', ORG_A));
    await warmAll(p, doctor);
    await warmAll(p, hospital);
    await p.close();
    await allHidden(p, doctor);
    await allHidden(p, hospital);
  });

  it('reload the policy', async () => {
    const p = await freshPatient();
    const doctor = await practitioner({ sub: professional() });
    await warmAll(p, doctor);
    const operator = await token(claims.system('dmp-operator'));
    const reload = () =>
      request(world.wired.consent)
        .post('/admin/v1/policy/reload')
        .set('Authorization', `Bearer ${operator}`)
        .expect(200);
    try {
      const { '10': _doctors, ...others } = example.matrix;
      policy = { ...example, version: 'intruder-without-doctors', matrix: others };
      await reload();
      await allHidden(p, doctor);
    } finally {
      policy = example;
      await reload();
    }
  });
});

describe('search result parameters never bring another patient’s resource nor a masked one', () => {
  const A = `${INS_SYSTEM}|${INS_A}`;
  const careTeam = () => practitioner({ sub: PS.careTeam });
  const hiddenMarkers = () => [
    world.documents.masked.marker,
    world.documents.otherPatient.marker,
    world.documents.hideAll.marker,
  ];
  const base = () => `/fhir/DocumentReference?patient.identifier=${A}&status=current,superseded`;
  /** What the care team sees of A without any result parameter. */
  async function baseline(bearer: string, extra = ''): Promise<Bundle> {
    return (await get(`${base()}${extra}`, bearer).expect(200)).body as Bundle;
  }

  const extras = [
    `_include=DocumentReference:relatesto`,
    `_include=DocumentReference:subject`,
    `_include=DocumentReference:*`,
    `_revinclude=List:item`,
    `_revinclude=DocumentReference:relatesto`,
    `_has:List:item:status=current`,
    `_has:DocumentReference:relatesto:status=current`,
    `_elements=id,description`,
    `_summary=true`,
    `_summary=data`,
    `_contained=true`,
    `_containedType=contained`,
    `relatesto:DocumentReference.patient.identifier=${INS_SYSTEM}|${INS_B}`,
    `relatesto.status=current`,
    `subject:Patient.identifier=${INS_SYSTEM}|${INS_B}`,
    `patient=Patient/${'x'.repeat(8)}`,
    `_id=${'placeholder'}`,
    `_cursor=eyJrIjpbXX0`,
  ];

  it.each(extras)('%s: refused, or the same documents as without it', async (extra) => {
    const bearer = await careTeam();
    const seen = await baseline(bearer);
    const value = extra.replace('placeholder', world.documents.otherPatient.id);
    for (const lenient of [false, true]) {
      const res = await get(`${base()}&${value}`, bearer).set(
        'Prefer',
        lenient ? 'handling=lenient' : 'handling=strict',
      );
      for (const marker of hiddenMarkers()) expect(res.text).not.toContain(marker);
      if (res.status !== 200) {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        continue;
      }
      const bundle = res.body as Bundle;
      const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode !== 'outcome');
      const ids = (b: Bundle) => new Set(matches(b).map((e) => e.resource?.id));
      for (const id of ids(bundle)) expect(ids(seen)).toContain(id);
      expect(bundle.total ?? 0).toBeLessThanOrEqual(seen.total ?? 0);
      for (const entry of matches(bundle)) {
        expect(entry.resource?.resourceType).toBe('DocumentReference');
      }
    }
  });

  it('a SubmissionSet read by id, by search or by _include lists no masked document', async () => {
    const bearer = await careTeam();
    const lists = await get(
      `/fhir/List?patient.identifier=${A}&status=current&_revinclude=List:item&_include=List:item`,
      bearer,
    ).set('Prefer', 'handling=lenient');
    for (const marker of hiddenMarkers()) expect(lists.text).not.toContain(marker);
    expect(lists.text).not.toContain(world.documents.masked.id);
    const found = (
      await get(`/fhir/List?patient.identifier=${A}&status=current`, bearer).expect(200)
    ).body as Bundle;
    expect(found.entry?.length ?? 0).toBeGreaterThan(0);
    for (const entry of found.entry ?? []) {
      const list = entry.resource as List;
      const read = await get(`/fhir/List/${list.id ?? ''}`, bearer).expect(200);
      expect(read.text).not.toContain(world.documents.masked.id);
    }
  });

  it('a patient’s total counts neither another patient’s documents nor what awaits announcement', async () => {
    const holder = await token(claims.patient(INS_A));
    const bundle = (
      await get(
        `/fhir/DocumentReference?patient.identifier=${A}&status=current&_summary=count`,
        holder,
      ).expect(200)
    ).body as Bundle;
    const all = (
      await get(`/fhir/DocumentReference?patient.identifier=${A}&status=current`, holder).expect(
        200,
      )
    ).body as Bundle;
    expect(bundle.total).toBe(all.entry?.length);
    expect(JSON.stringify(all)).not.toContain(world.documents.invisibleRecent.marker);
  });

  it('a registry patient reference of A and an INS of B together: refused', async () => {
    const bearer = await careTeam();
    const res = await get(
      `/fhir/DocumentReference?patient=${world.patientA}&patient.identifier=${INS_SYSTEM}|${INS_B}&status=current`,
      bearer,
    );
    expect(res.status).toBe(400);
    for (const marker of hiddenMarkers()) expect(res.text).not.toContain(marker);
  });
});
