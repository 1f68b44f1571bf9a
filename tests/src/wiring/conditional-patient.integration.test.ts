import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Binary, Bundle, DocumentReference, List, Practitioner } from 'fhir/r4';
import {
  buildDocument,
  buildSubmissionSet,
  makeIns,
} from '../../../services/documents/test/builders';
import { fhirXmlToJson, jsonToFhirXml } from '@dmp/http';
import { readFixture } from '../../../services/documents/test/harness';
import { INS_SYSTEM, openDmp, openWired, type Wired } from './wired-harness';

/**
 * Conditional patient references (`Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|<INS>`), as the
 * ANS PDSm4DMP examples and DMP software write them, on the wired services: documents resolves
 * them through the consent service's patient registry inside the access decision, as FHIR
 * transactions do (one match: stored as that patient; none: 404; several: 412), and checks the
 * INS they carry before anything else.
 */
const FOLDER = 'pdsm4dmp-0.1.0';
const BUNDLE_FILE = 'Bundle-example-td2-iti65-lot-soumission.json';
const ITI105_FILE = 'DocumentReference-example-td2-iti105-publication-simplifiee.json';
/** The examples' INS, whose control key is wrong. */
const EXAMPLE_INS = '123456789012345';

const INS_A = makeIns(12_001);
const INS_B = makeIns(12_002);
const NO_DMP_INS = makeIns(12_003);

let w: Wired;
let hospital: string;
let doctor: string;
/** `Patient/<id>` of patient A in the consent registry. */
let registryRefA: string;

const conditional = (...ins: string[]) =>
  `Patient?identifier=${ins.map((value) => `${INS_SYSTEM}|${value}`).join(',')}`;

beforeAll(async () => {
  w = await openWired();
  hospital = await w.issuer.sign({
    sub: 'lps-hospital',
    client_id: 'lps-hospital',
    scope: 'ITI-65 ITI-105',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
  doctor = await w.issuer.sign({
    sub: '810000012001',
    scope: 'user/DocumentReference.rs user/List.rs user/Binary.r',
    extensions: {
      ihe_iua: {
        subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
        national_provider_identifier: '810000012001',
      },
      fr_dmp: { actor_kind: 'practitioner', attestation: 'care_team' },
    },
  });
  registryRefA = await openDmp(w, INS_A);
  await openDmp(w, INS_B);
}, 120_000);
afterAll(() => w.close());

/** The example with another patient reference in every place it names the patient. */
function naming<T>(resource: T, reference: string): T {
  const exampleRef = `"${conditional(EXAMPLE_INS)}"`;
  return JSON.parse(
    JSON.stringify(resource).replaceAll(exampleRef, JSON.stringify(reference)),
  ) as T;
}

/**
 * The PDSm4DMP ITI-65 example completed with what PDSm requires and it lacks (see the fixtures
 * README), its patient named by `reference`; its own values (type, subject, date, title, the
 * Binary) are kept.
 */
function completedBundle(reference: string): Bundle {
  const example = naming(readFixture<Bundle>(FOLDER, BUNDLE_FILE), reference);
  const [setEntry, documentEntry, binaryEntry] = example.entry ?? [];
  const set = setEntry?.resource as List;
  const document = documentEntry?.resource as DocumentReference;
  const binary = binaryEntry?.resource as Binary;
  const bytes = Buffer.from(binary.data ?? '', 'base64');
  const filler = buildDocument({ ins: INS_A }, document.content[0]?.attachment.url ?? '', bytes);
  const author: Practitioner = {
    resourceType: 'Practitioner',
    id: 'author',
    identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810000012001' }],
  };
  const completedDocument: DocumentReference = {
    ...filler,
    ...document,
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    custodian: { display: 'CH Exemple' },
    content: [
      {
        ...filler.content[0],
        attachment: { ...filler.content[0]?.attachment, ...document.content[0]?.attachment },
      },
    ],
  };
  const filledSet = buildSubmissionSet(INS_A, []);
  const completedSet: List = {
    ...filledSet,
    ...set,
    contained: [author],
    source: { reference: '#author' },
    extension: filledSet.extension,
    identifier: filledSet.identifier,
  };
  return {
    ...example,
    entry: [
      { ...setEntry, resource: completedSet },
      { ...documentEntry, resource: completedDocument },
      ...(example.entry ?? []).slice(2),
    ],
  };
}

/** The PDSm4DMP ITI-105 example completed (masterIdentifier, author), its patient `reference`. */
function completedPublish(reference: string): DocumentReference {
  const example = naming(readFixture<DocumentReference>(FOLDER, ITI105_FILE), reference);
  return {
    ...example,
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    contained: [{ resourceType: 'Practitioner', id: 'author' }],
    author: [{ reference: '#author' }],
  };
}

const submit = (path: string, body: unknown, token = hospital) =>
  request(w.documents)
    .post(path)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(body));
/** ITI-65 */
const provide = (bundle: unknown, token = hospital) => submit('/fhir', bundle, token);
/** ITI-105 */
const publish = (document: unknown) => submit('/fhir/DocumentReference', document);

const findDocuments = (ins: string) =>
  request(w.documents)
    .get(`/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${ins}&status=current`)
    .set('Authorization', `Bearer ${doctor}`)
    .expect(200);

/** ITI-68: the bytes at an `attachment.url`, as the professional reads them. */
async function retrieve(url: string | undefined): Promise<Buffer> {
  const res = await request(w.documents)
    .get(new URL(String(url)).pathname)
    .set('Authorization', `Bearer ${doctor}`)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(200);
  return res.body as Buffer;
}

/** How many resources of a type the documents store holds (to prove nothing was written). */
async function stored(resourceType: 'DocumentReference' | 'List' | 'Binary'): Promise<number> {
  const page = await w.documentsStore.search({
    resourceType,
    filters: [],
    sort: [],
    count: 1,
    total: 'accurate',
    summaryCount: true,
  });
  return page.total ?? -1;
}

async function storedCounts(): Promise<number[]> {
  return [await stored('DocumentReference'), await stored('List'), await stored('Binary')];
}

function codesOf(body: { issue?: { details?: { coding?: { code?: string }[] } }[] }): string[] {
  return (body.issue ?? []).flatMap((issue) =>
    (issue.details?.coding ?? []).map((c) => c.code ?? ''),
  );
}

describe('a conditional patient reference in ITI-65 (PDSm4DMP TD2 example)', () => {
  it('is accepted, stored as the registry patient, found by ITI-67 with its total, bytes equal by ITI-68', async () => {
    const bundle = completedBundle(conditional(INS_A));
    const binary = bundle.entry?.[2]?.resource as Binary;
    const before = (await findDocuments(INS_A)).body as Bundle;

    const res = await provide(bundle);

    expect(res.body.issue ?? []).toEqual([]);
    expect(res.status).toBe(200);
    const found = (await findDocuments(INS_A)).body as Bundle;
    expect(found.total).toBe((before.total ?? 0) + 1);
    const master = (bundle.entry?.[1]?.resource as DocumentReference).masterIdentifier?.value;
    const document = found.entry
      ?.map((e) => e.resource as DocumentReference)
      .find((d) => d.masterIdentifier?.value === master);
    expect(document?.subject).toEqual({
      reference: registryRefA,
      type: 'Patient',
      identifier: { system: INS_SYSTEM, value: INS_A },
    });
    const lists = await request(w.documents)
      .get(`/fhir/List?patient.identifier=${INS_SYSTEM}|${INS_A}&status=current&code=submissionset`)
      .set('Authorization', `Bearer ${doctor}`)
      .expect(200);
    expect(lists.body.total).toBeGreaterThanOrEqual(1);
    expect(await retrieve(document?.content[0]?.attachment.url)).toEqual(
      Buffer.from(binary.data ?? '', 'base64'),
    );
    // The first submission compiles the R4 schema: seconds on a loaded machine.
  }, 60_000);

  it('as published, with an INS whose key is wrong: 400 DMP-INS-INVALID naming the reference, first, nothing stored', async () => {
    const before = await storedCounts();

    const res = await provide(readFixture<Bundle>(FOLDER, BUNDLE_FILE)).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-INS-INVALID');
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[0].resource.subject.reference']);
    expect(res.body.issue[1].expression).toEqual(['Bundle.entry[1].resource.subject.reference']);
    expect(await storedCounts()).toEqual(before);
  });

  it('matching no patient of the registry: 404 DMP-CONDITIONAL-NO-MATCH, nothing stored', async () => {
    const before = await storedCounts();

    const res = await provide(completedBundle(conditional(NO_DMP_INS))).expect(404);

    expect(codesOf(res.body)).toEqual(['DMP-CONDITIONAL-NO-MATCH']);
    expect(res.body.issue[0].code).toBe('not-found');
    expect(await storedCounts()).toEqual(before);
  });

  it('matching several patients: 412 DMP-CONDITIONAL-MULTIPLE-MATCHES, nothing stored', async () => {
    const before = await storedCounts();

    const res = await provide(completedBundle(conditional(INS_A, INS_B))).expect(412);

    expect(codesOf(res.body)).toEqual(['DMP-CONDITIONAL-MULTIPLE-MATCHES']);
    expect(res.body.issue[0].code).toBe('multiple-matches');
    expect(await storedCounts()).toEqual(before);
  });

  it('with an identifier naming another patient than its search: 400, nothing stored', async () => {
    const bundle = completedBundle(conditional(INS_A));
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource as DocumentReference | List;
      if (resource.subject) {
        resource.subject = {
          ...resource.subject,
          identifier: { system: INS_SYSTEM, value: INS_B },
        };
      }
    }
    const before = await storedCounts();

    const res = await provide(bundle).expect(400);

    expect(codesOf(res.body)).toContain('DMP-MHD-PATIENT-MISMATCH');
    expect(await storedCounts()).toEqual(before);
  });

  it('in context.sourcePatientInfo naming another patient than the subject: 400 XDSPatientIdDoesNotMatch', async () => {
    const bundle = completedBundle(conditional(INS_A));
    const document = bundle.entry?.[1]?.resource as DocumentReference;
    document.context = {
      ...document.context,
      sourcePatientInfo: { reference: conditional(INS_B) },
    };

    const res = await provide(bundle).expect(400);

    expect(codesOf(res.body)).toEqual(['DMP-MHD-PATIENT-MISMATCH', 'XDSPatientIdDoesNotMatch']);
    expect(res.body.issue[0].expression).toEqual([
      'Bundle.entry[1].resource.context.sourcePatientInfo',
    ]);
  });

  it('goes through the same access decision: a professional without a basis is refused (403)', async () => {
    const stranger = await w.issuer.sign({
      sub: '810000012009',
      scope: 'ITI-65',
      extensions: {
        ihe_iua: {
          subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
          national_provider_identifier: '810000012009',
        },
        fr_dmp: { actor_kind: 'practitioner' },
      },
    });

    const res = await provide(completedBundle(conditional(INS_A)), stranger).expect(403);

    expect(codesOf(res.body)).toEqual(['DMP-CONSENT-DENIED']);
  });
});

describe('a conditional patient reference in ITI-105 (PDSm4DMP TD2 example)', () => {
  it('is accepted, found by ITI-67 with its total, bytes equal by ITI-68', async () => {
    const document = completedPublish(conditional(INS_B));
    const before = (await findDocuments(INS_B)).body as Bundle;

    const res = await publish(document).expect(201);

    expect(res.body.subject.identifier).toEqual({ system: INS_SYSTEM, value: INS_B });
    expect(res.body.subject.reference).toMatch(/^Patient\/[A-Za-z0-9\-.]+$/);
    const found = (await findDocuments(INS_B)).body as Bundle;
    expect(found.total).toBe((before.total ?? 0) + 1);
    expect(found.entry?.map((e) => e.resource?.id)).toContain(res.body.id);
    expect(await retrieve(res.body.content[0].attachment.url)).toEqual(
      Buffer.from(document.content[0]?.attachment.data ?? '', 'base64'),
    );
  }, 60_000);

  it('as published, with an INS whose key is wrong: 400 DMP-INS-INVALID first, naming the reference', async () => {
    const res = await publish(readFixture<DocumentReference>(FOLDER, ITI105_FILE)).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-INS-INVALID');
    expect(res.body.issue[0].expression).toEqual(['DocumentReference.subject.reference']);
  });

  it('matching no patient of the registry: 404 DMP-CONDITIONAL-NO-MATCH', async () => {
    const res = await publish(completedPublish(conditional(NO_DMP_INS))).expect(404);

    expect(codesOf(res.body)).toEqual(['DMP-CONDITIONAL-NO-MATCH']);
  });

  it('matching several patients: 412 DMP-CONDITIONAL-MULTIPLE-MATCHES', async () => {
    const res = await publish(completedPublish(conditional(INS_A, INS_B))).expect(412);

    expect(codesOf(res.body)).toEqual(['DMP-CONDITIONAL-MULTIPLE-MATCHES']);
  });
});

describe('the PDSm4DMP examples in FHIR XML', () => {
  const submitXml = (path: string, resource: object) =>
    request(w.documents)
      .post(path)
      .set('Authorization', `Bearer ${hospital}`)
      .set('Content-Type', 'application/fhir+xml')
      .send(jsonToFhirXml(resource));
  /** The answer asked in XML, read back as JSON. */
  const inXml = async (test: request.Test) => {
    const res = await test
      .set('Accept', 'application/fhir+xml')
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => done(null, text));
      });
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+xml/);
    return { status: res.status, body: fhirXmlToJson(res.body as string, 100) };
  };

  it('ITI-65 as XML is accepted, answered in XML, and stored as the registry patient', async () => {
    const bundle = completedBundle(conditional(INS_A));
    const master = (bundle.entry?.[1]?.resource as DocumentReference).masterIdentifier?.value;

    const res = await inXml(submitXml('/fhir', bundle));

    expect(res.status).toBe(200);
    const answer = res.body as unknown as Bundle;
    expect(answer.type).toBe('transaction-response');
    expect(answer.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['201', '201', '201']);
    const found = (await findDocuments(INS_A)).body as Bundle;
    const document = found.entry
      ?.map((e) => e.resource as DocumentReference)
      .find((d) => d.masterIdentifier?.value === master);
    expect(document?.subject?.reference).toBe(registryRefA);
  }, 60_000);

  it('ITI-105 as published (wrong INS key), in XML: refused exactly as its JSON twin', async () => {
    const example = readFixture<DocumentReference>(FOLDER, ITI105_FILE);

    const asJson = await publish(example);
    const asXml = await submitXml('/fhir/DocumentReference', example);

    expect(asJson.status).toBe(400);
    expect(asJson.body.issue[0].details.coding[0].code).toBe('DMP-INS-INVALID');
    expect([asXml.status, asXml.body]).toEqual([asJson.status, asJson.body]);
  });

  it('ITI-105 as XML with a conditional reference is accepted, answered in XML, bytes equal', async () => {
    const document = completedPublish(conditional(INS_B));

    const res = await inXml(submitXml('/fhir/DocumentReference', document));

    expect(res.status).toBe(201);
    const stored = res.body as unknown as DocumentReference;
    expect(stored.subject?.identifier).toEqual({ system: INS_SYSTEM, value: INS_B });
    expect(await retrieve(stored.content[0]?.attachment.url)).toEqual(
      Buffer.from(document.content[0]?.attachment.data ?? '', 'base64'),
    );
  }, 60_000);
});
