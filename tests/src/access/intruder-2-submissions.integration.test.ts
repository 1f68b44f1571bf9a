import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Bundle, DocumentReference, List, Patient, Reference } from 'fhir/r4';
import { jsonToFhirXml } from '@dmp/http';
import { INS_SYSTEM } from '../wiring/wired-harness';
import {
  claims,
  documentBundle,
  INS_A,
  INS_B,
  openWorld,
  ORG_A,
  patientParameter,
  PS,
  type World,
} from './world';

/**
 * The intruder's second pass at submissions (ITI-65, ITI-105), over HTTP on the wired services:
 * a submission that names patient A anywhere, in any form (conditional references mixed with
 * logical ones, `%7C`, another base, extra search parameters, whitespace, chains, a contained
 * Patient, FHIR XML tricks), is either refused or decided and stored for one and the same
 * patient. The attacker is a professional patient A blocked (care-team attested, so B's record
 * is open to them): nothing they send may land in A's record.
 */
let world: World;
let registryB = '';

beforeAll(async () => {
  world = await openWorld();
  const opened = await request(world.wired.consent)
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${await world.token(claims.patient(INS_B))}`)
    .send({ resourceType: 'Parameters', parameter: [patientParameter(INS_B)] });
  registryB = `Patient/${String((opened.body as Patient).id)}`;
}, 120_000);
afterAll(() => world.close());

const token = (c: Record<string, unknown>) => world.token(c);
const blocked = () => token(claims.practitioner(PS.blocked, { attestation: 'care_team' }));
const conditional = (ins: string, separator = '|') =>
  `Patient?identifier=${INS_SYSTEM}${separator}${ins}`;

/** Everything patient A's holder finds in their record: it must not grow. */
async function recordOfA(): Promise<string> {
  const holder = await token(claims.patient(INS_A));
  const res = await request(world.wired.documents)
    .get(`/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${INS_A}&status=current`)
    .set('Authorization', `Bearer ${holder}`)
    .expect(200);
  return JSON.stringify((res.body as Bundle).entry?.map((e) => e.resource?.id).sort());
}

/** Every stored DocumentReference and List with this marker, as stored. */
async function storedWith(marker: string): Promise<(DocumentReference | List)[]> {
  const found: (DocumentReference | List)[] = [];
  for (const type of ['DocumentReference', 'List'] as const) {
    const page = await world.wired.documentsStore.search<DocumentReference | List>({
      resourceType: type,
      filters: [],
      sort: [],
      count: 1000,
      total: 'none',
      summaryCount: false,
    });
    for (const resource of page.resources) {
      if (JSON.stringify(resource).includes(marker)) found.push(resource);
    }
  }
  return found;
}

/**
 * The submission was refused, or everything it stored is B's: stamped with B's INS, every
 * reference to a registry patient B's, and A's record unchanged.
 */
async function refusedOrB(
  res: request.Response,
  marker: string,
  before: string,
  /** The sender's own data (an extension's text) may name A; no reference or key does. */
  dataMayNameA = false,
): Promise<'refused' | 'stored for B'> {
  expect(await recordOfA()).toBe(before);
  if (res.status >= 400) {
    expect(res.status).toBeLessThan(500);
    expect(await storedWith(marker)).toEqual([]);
    return 'refused';
  }
  expect(res.status).toBeLessThan(300);
  const stored = await storedWith(marker);
  expect(stored.length).toBeGreaterThan(0);
  for (const resource of stored) {
    const subject = resource.subject;
    expect(subject?.identifier?.value).toBe(INS_B);
    if (subject?.reference !== undefined) expect(subject.reference).toBe(registryB);
    const text = JSON.stringify(dataMayNameA ? { ...resource, subject: undefined } : resource);
    expect(JSON.stringify(subject?.identifier)).not.toContain(INS_A);
    expect(text).not.toContain(INS_A);
    expect(text).not.toContain(world.patientA);
  }
  return 'stored for B';
}

/** A bundle for B whose SubmissionSet and DocumentReference subjects are set as given. */
function bundleNaming(
  marker: string,
  set: Reference,
  document: Reference,
  source?: Reference,
): Bundle {
  const bundle = documentBundle(INS_B, marker);
  const list = bundle.entry?.[0]?.resource as List;
  const doc = bundle.entry?.[1]?.resource as DocumentReference;
  list.subject = set;
  doc.subject = document;
  if (source && doc.context) doc.context.sourcePatientInfo = source;
  return bundle;
}

function post(bearer: string, body: string, type = 'application/fhir+json', path = '/fhir') {
  return request(world.wired.documents)
    .post(path)
    .set('Authorization', `Bearer ${bearer}`)
    .set('Content-Type', type)
    .set('Accept', 'application/fhir+json')
    .send(body);
}

const ref = (reference: string): Reference => ({ reference });
const ins = (value: string): Reference => ({
  type: 'Patient',
  identifier: { system: INS_SYSTEM, value },
});

describe('ITI-65: a conditional reference never lets a submission for B land in A’s record', () => {
  const cases: [string, Reference, Reference, Reference?][] = [
    [
      'set A (conditional), document B (conditional)',
      ref(conditional(INS_A)),
      ref(conditional(INS_B)),
    ],
    ['set B, document A with %7C', ref(conditional(INS_B)), ref(conditional(INS_A, '%7C'))],
    ['set B by INS, document A conditional', ins(INS_B), ref(conditional(INS_A))],
    [
      'document: a conditional B and the INS of A together',
      ref(conditional(INS_B)),
      { reference: conditional(INS_B), identifier: { system: INS_SYSTEM, value: INS_A } },
    ],
    [
      'document: registry B and the INS of A together',
      ref(registryB),
      { reference: registryB, identifier: { system: INS_SYSTEM, value: INS_A } },
    ],
    [
      'another server’s conditional A',
      ref(`http://evil.example/fhir/${conditional(INS_A)}`),
      ref(`http://evil.example/fhir/${conditional(INS_A)}`),
    ],
    ['_id of A', ref(`Patient?_id=${world?.patientA ?? ''}`), ref(conditional(INS_B))],
    [
      'identifier B and _id of A',
      ref(`${conditional(INS_B)}&_id=A`),
      ref(`${conditional(INS_B)}&_id=A`),
    ],
    [
      'two identifier parameters',
      ref(`${conditional(INS_B)}&identifier=${INS_SYSTEM}|${INS_A}`),
      ref(`${conditional(INS_B)}&identifier=${INS_SYSTEM}|${INS_A}`),
    ],
    [
      'an OR list of A and B',
      ref(`${conditional(INS_B)},${INS_SYSTEM}|${INS_A}`),
      ref(`${conditional(INS_B)},${INS_SYSTEM}|${INS_A}`),
    ],
    [
      'a chained conditional',
      ref(`Patient?link:Patient.identifier=${INS_SYSTEM}|${INS_A}`),
      ref(`Patient?link:Patient.identifier=${INS_SYSTEM}|${INS_A}`),
    ],
    [
      'a modifier',
      ref(`Patient?identifier:of-type=${INS_SYSTEM}|NH|${INS_A}`),
      ref(`Patient?identifier:of-type=${INS_SYSTEM}|NH|${INS_A}`),
    ],
    ['whitespace around A', ref(` ${conditional(INS_A)} `), ref(` ${conditional(INS_A)} `)],
    [
      'whitespace in the value',
      ref(`Patient?identifier=${INS_SYSTEM}| ${INS_A}`),
      ref(`Patient?identifier=${INS_SYSTEM}| ${INS_A}`),
    ],
    ['A without system', ref(`Patient?identifier=${INS_A}`), ref(`Patient?identifier=${INS_A}`)],
    [
      'sourcePatientInfo conditional A, subjects B',
      ref(conditional(INS_B)),
      ref(conditional(INS_B)),
      ref(conditional(INS_A)),
    ],
    [
      'sourcePatientInfo registry A, subjects B',
      ref(conditional(INS_B)),
      ref(conditional(INS_B)),
      ref(world?.patientA ?? 'Patient/a'),
    ],
  ];

  it.each(cases.map(([name, set, document, source]) => ({ name, set, document, source })))(
    '$name',
    async ({ set, document, source }) => {
      const marker = `SUBMIT-${randomUUID()}`;
      const before = await recordOfA();
      const patched = (r: Reference | undefined) =>
        r?.reference?.includes('Patient?_id=')
          ? { reference: `Patient?_id=${world.patientA.split('/')[1] ?? ''}` }
          : r?.reference === 'Patient/a'
            ? { reference: world.patientA }
            : r;
      const bundle = bundleNaming(
        marker,
        patched(set) ?? set,
        patched(document) ?? document,
        patched(source),
      );
      const res = await post(await blocked(), JSON.stringify(bundle));
      await refusedOrB(res, marker, before);
    },
  );

  it('a contained Patient carrying A’s INS, subjects B: stored for B, never found in A’s record', async () => {
    const marker = `SUBMIT-${randomUUID()}`;
    const before = await recordOfA();
    const bundle = bundleNaming(marker, ref(conditional(INS_B)), ref(conditional(INS_B)));
    const doc = bundle.entry?.[1]?.resource as DocumentReference;
    doc.contained = (doc.contained ?? []).map((r) =>
      r.resourceType === 'Patient'
        ? { ...r, identifier: [{ system: INS_SYSTEM, value: INS_A }] }
        : r,
    );
    const res = await post(await blocked(), JSON.stringify(bundle));
    expect(await recordOfA()).toBe(before);
    const holder = await token(claims.patient(INS_A));
    for (const query of [
      `patient.identifier=${INS_SYSTEM}|${INS_A}`,
      `subject.identifier=${INS_SYSTEM}|${INS_A}`,
      `patient=${world.patientA}`,
    ]) {
      const found = await request(world.wired.documents)
        .get(`/fhir/DocumentReference?${query}&status=current`)
        .set('Authorization', `Bearer ${holder}`);
      expect(found.text).not.toContain(marker);
    }
    if (res.status < 300) {
      for (const resource of await storedWith(marker)) {
        expect((resource.subject as Reference).identifier?.value).toBe(INS_B);
      }
    }
  });

  it('all A, by the professional A blocked: 403, whatever the form', async () => {
    for (const form of [conditional(INS_A), conditional(INS_A, '%7C'), world.patientA]) {
      const marker = `SUBMIT-${randomUUID()}`;
      const res = await post(
        await blocked(),
        JSON.stringify(bundleNaming(marker, ref(form), ref(form))),
      );
      expect({ form, status: res.status }).toEqual({ form, status: 403 });
      expect(await storedWith(marker)).toEqual([]);
    }
  });
});

describe('ITI-105 with a conditional reference is decided like ITI-65', () => {
  function publication(marker: string, subject: Reference, source?: Reference): DocumentReference {
    const bundle = documentBundle(INS_B, marker);
    const doc = bundle.entry?.[1]?.resource as DocumentReference;
    const bytes = (bundle.entry?.[2]?.resource as { data?: string }).data ?? '';
    const [content] = doc.content;
    return {
      ...doc,
      subject,
      ...(source && doc.context ? { context: { ...doc.context, sourcePatientInfo: source } } : {}),
      content: [
        {
          ...content,
          attachment: {
            contentType: 'application/pdf',
            language: 'fr-FR',
            data: bytes,
            title: 'Compte rendu',
          },
        },
      ],
    };
  }
  const publish = async (document: DocumentReference) =>
    post(
      await blocked(),
      JSON.stringify(document),
      'application/fhir+json',
      '/fhir/DocumentReference',
    );

  it.each([
    ['conditional A', ref(conditional(INS_A)), undefined],
    ['conditional A with %7C', ref(conditional(INS_A, '%7C')), undefined],
    [
      'conditional B with the INS of A',
      { reference: conditional(INS_B), identifier: { system: INS_SYSTEM, value: INS_A } },
      undefined,
    ],
    [
      'subject B, sourcePatientInfo conditional A',
      ref(conditional(INS_B)),
      ref(conditional(INS_A)),
    ],
    ['an OR list of B and A', ref(`${conditional(INS_B)},${INS_SYSTEM}|${INS_A}`), undefined],
  ] as [string, Reference, Reference | undefined][])('%s', async (_name, subject, source) => {
    const marker = `PUBLISH-${randomUUID()}`;
    const before = await recordOfA();
    const res = await publish(publication(marker, subject, source));
    await refusedOrB(res, marker, before);
  });

  it('conditional B: stored for B (the attacker may feed B)', async () => {
    const marker = `PUBLISH-${randomUUID()}`;
    const before = await recordOfA();
    const res = await publish(publication(marker, ref(conditional(INS_B))));
    expect(res.status).toBe(201);
    expect(await refusedOrB(res, marker, before)).toBe('stored for B');
  });
});

describe('FHIR XML: nothing the XML path accepts names another patient than its JSON twin', () => {
  const B = conditional(INS_B);
  const A = conditional(INS_A);
  /** The all-B bundle as XML, then altered by `edit`. */
  function xmlBundle(marker: string, edit: (xml: string) => string): string {
    return edit(jsonToFhirXml(bundleNaming(marker, ref(B), ref(B))));
  }
  const bRef = `<reference value="${B}"/>`;

  it.each([
    [
      'a second reference to A',
      (x: string) => x.replaceAll(bRef, `${bRef}<reference value="${A}"/>`),
    ],
    [
      'a reference to A before B',
      (x: string) => x.replaceAll(bRef, `<reference value="${A}"/>${bRef}`),
    ],
    [
      'an identifier of A next to the reference',
      (x: string) =>
        x.replaceAll(
          bRef,
          `${bRef}<identifier><system value="${INS_SYSTEM}"/><value value="${INS_A}"/></identifier>`,
        ),
    ],
    [
      'the reference in CDATA',
      (x: string) => x.replaceAll(bRef, `<reference><![CDATA[${A}]]></reference>`),
    ],
    [
      'a namespace-prefixed reference to A',
      (x: string) =>
        x.replaceAll(bRef, `${bRef}<f:reference xmlns:f="http://hl7.org/fhir" value="${A}"/>`),
    ],
    [
      'a prefixed value attribute naming A',
      (x: string) =>
        x.replaceAll(
          bRef,
          `<reference xmlns:f="http://hl7.org/fhir" value="${B}" f:value="${A}"/>`,
        ),
    ],
    [
      'the subject in another namespace',
      (x: string) => x.replaceAll(`<subject>${bRef}`, `<subject xmlns="urn:evil">${bRef}`),
    ],
    [
      'a reference to A with id and extension',
      (x: string) =>
        x.replaceAll(
          bRef,
          `<reference id="r" value="${A}"><extension url="urn:x"><valueString value="${B}"/></extension></reference>`,
        ),
    ],
    [
      'an extension on the reference naming A (stored as data, decided on B)',
      (x: string) =>
        x.replaceAll(
          bRef,
          `<reference id="r" value="${B}"><extension url="urn:x"><valueString value="${A}"/></extension></reference>`,
        ),
    ],
  ] as [string, (x: string) => string][])('%s', async (_name, edit) => {
    const marker = `XML-${randomUUID()}`;
    const before = await recordOfA();
    const body = xmlBundle(marker, edit);
    const res = await post(await blocked(), body, 'application/fhir+xml');
    // Only the extension's text may name A (kept as sent, as its JSON twin would be).
    await refusedOrB(res, marker, before, body.includes(`<valueString value="${A}"/>`));
  });
});

describe('the submitter recorded is the professional consent decided on', () => {
  it('a token whose sub differs from its idNat_PS: the submitter is the idNat_PS, and a professional whose idNat is that sub is not its author', async () => {
    const account = `acct${randomUUID().replaceAll('-', '')}`;
    const submitter = await token({
      ...claims.practitioner(PS.careTeam, { attestation: 'care_team' }),
      sub: account,
    });
    const marker = `SUBMITTER-${randomUUID()}`;
    const res = await post(submitter, JSON.stringify(documentBundle(INS_A, marker)));
    expect(res.status).toBe(200);
    const [document] = (await storedWith(marker)).filter(
      (r): r is DocumentReference => r.resourceType === 'DocumentReference',
    );
    expect(document?.meta?.source).toBe(`urn:dmp:submitter:practitioner:${PS.careTeam}`);

    // Someone whose idNat_PS is the submitter's account name, without any basis of their own.
    const impostor = await token({
      ...claims.practitioner(account),
      sub: `other-${account}`,
    });
    const read = await request(world.wired.documents)
      .get(`/fhir/DocumentReference/${document?.id ?? ''}`)
      .set('Authorization', `Bearer ${impostor}`);
    expect(read.status).toBe(404);
    expect(read.text).not.toContain(marker);
  });

  it('hospital software: the submitter is its sub, and another software sharing its client id is not it', async () => {
    const marker = `SUBMITTER-${randomUUID()}`;
    const res = await post(
      await token(claims.system('chu-a', ORG_A)),
      JSON.stringify(documentBundle(INS_A, marker)),
    );
    expect(res.status).toBe(200);
    const [document] = (await storedWith(marker)).filter(
      (r): r is DocumentReference => r.resourceType === 'DocumentReference',
    );
    const other = await token({ ...claims.system('chu-z'), client_id: 'chu-a' });
    const read = await request(world.wired.documents)
      .get(`/fhir/DocumentReference/${document?.id ?? ''}`)
      .set('Authorization', `Bearer ${other}`);
    expect(read.status).toBe(404);
  });
});
