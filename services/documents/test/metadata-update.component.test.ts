import request from 'supertest';
import type { DocumentReference } from 'fhir/r4';
import { buildProvideBundle, makeIns } from './builders';
import { openHarness, type Harness } from './harness';

const IS_ARCHIVED =
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived';
const TRE_A08 =
  'https://mos.esante.gouv.fr/NOS/TRE_A08-HL7Confidentiality/FHIR/TRE-A08-HL7Confidentiality';
const TRE_A07 =
  'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

async function newDocument(): Promise<DocumentReference> {
  const res = await request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(
      JSON.stringify(buildProvideBundle({ ins: makeIns(900 + Math.floor(Math.random() * 1000)) })),
    )
    .expect(200);
  const location =
    (res.body.entry as { response: { location: string } }[])
      .map((e) => e.response.location)
      .find((l) => l.startsWith('DocumentReference/')) ?? '';
  return h.store.read<DocumentReference>('DocumentReference', location.split('/')[1] ?? '');
}

const jsonPatch = (path: string, operations: unknown, token = h.systemToken) =>
  request(h.app)
    .patch(path)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'application/json-patch+json')
    .send(JSON.stringify(operations));
const fhirPathPatch = (path: string, parameters: unknown) =>
  request(h.app)
    .patch(path)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(parameters));

const operation = (parts: object[]) => ({
  resourceType: 'Parameters',
  parameter: [{ name: 'operation', part: parts }],
});

describe('PDSm metadata update', () => {
  it('adds a visibility label with JSON Patch, keeping N, as a new version with ETag', async () => {
    const doc = await newDocument();

    const res = await jsonPatch(`/fhir/DocumentReference/${doc.id ?? ''}`, [
      {
        op: 'add',
        path: '/securityLabel/-',
        value: { coding: [{ system: TRE_A07, code: 'MASQUE_PS' }] },
      },
    ]).expect(200);

    expect(res.body.meta.versionId).toBe('2');
    expect(res.headers.etag).toBe('W/"2"');
    expect(
      res.body.securityLabel.map((l: { coding: { code: string }[] }) => l.coding[0]?.code),
    ).toEqual(['N', 'MASQUE_PS']);
  });

  it('adds then removes a label with FHIRPath Patch; N under the NOS URL counts as the same N', async () => {
    const doc = await newDocument();
    const path = `/fhir/DocumentReference/${doc.id ?? ''}`;
    await fhirPathPatch(
      path,
      operation([
        { name: 'type', valueCode: 'add' },
        { name: 'path', valueString: 'DocumentReference' },
        { name: 'name', valueString: 'securityLabel' },
        { name: 'value', valueCodeableConcept: { coding: [{ system: TRE_A08, code: 'N' }] } },
      ]),
    ).expect(200);
    await fhirPathPatch(
      path,
      operation([
        { name: 'type', valueCode: 'add' },
        { name: 'path', valueString: 'DocumentReference' },
        { name: 'name', valueString: 'securityLabel' },
        { name: 'value', valueCoding: { system: TRE_A07, code: 'INVISIBLE_PATIENT' } },
      ]),
    ).expect(200);

    const res = await fhirPathPatch(
      path,
      operation([
        { name: 'type', valueCode: 'delete' },
        {
          name: 'path',
          valueString: "DocumentReference.securityLabel.where(coding.code='INVISIBLE_PATIENT')",
        },
      ]),
    ).expect(200);

    expect(res.body.securityLabel).toHaveLength(1);
    // v2: INVISIBLE_PATIENT added, v3: removed; adding N again (under the NOS URL) changed nothing.
    expect(res.body.meta.versionId).toBe('3');
  });

  it('archives with FHIRPath Patch and the document disappears from default searches', async () => {
    const doc = await newDocument();

    const res = await fhirPathPatch(
      `/fhir/DocumentReference/${doc.id ?? ''}`,
      operation([
        { name: 'type', valueCode: 'replace' },
        { name: 'path', valueString: `DocumentReference.extension('${IS_ARCHIVED}').value` },
        { name: 'value', valueBoolean: true },
      ]),
    ).expect(200);

    expect(res.body.extension).toEqual([{ url: IS_ARCHIVED, valueBoolean: true }]);
    const subject = doc.subject?.identifier;
    const found = await request(h.app)
      .get(
        `/fhir/DocumentReference?patient.identifier=${subject?.system ?? ''}|${subject?.value ?? ''}&status=current`,
      )
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    expect(found.body).not.toHaveProperty('entry');
  });

  it('answers 405 when the patch touches another element', async () => {
    const doc = await newDocument();

    const res = await jsonPatch(`/fhir/DocumentReference/${doc.id ?? ''}`, [
      { op: 'replace', path: '/description', value: 'x' },
    ]).expect(405);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-PDSM-PATCH-NOT-ALLOWED');
  });

  it('answers 422 for a malformed patch', async () => {
    const doc = await newDocument();

    await jsonPatch(`/fhir/DocumentReference/${doc.id ?? ''}`, [
      { op: 'remove', path: '/securityLabel/9' },
    ]).expect(422);
  });

  it('patches conditionally by identifier: 1 match → 200, 0 → 404', async () => {
    const doc = await newDocument();
    const master = doc.masterIdentifier;
    const identifier = encodeURIComponent(`${master?.system ?? ''}|${master?.value ?? ''}`);

    await jsonPatch(`/fhir/DocumentReference?identifier=${identifier}`, [
      { op: 'replace', path: '/status', value: 'superseded' },
    ]).expect(200);
    await jsonPatch('/fhir/DocumentReference?identifier=urn:ietf:rfc:3986|urn:oid:9.9.9', [
      { op: 'replace', path: '/status', value: 'superseded' },
    ]).expect(404);
  });

  it('answers 412 when the conditional identifier matches several documents', async () => {
    const first = await newDocument();
    const second = await newDocument();
    const shared = { system: 'urn:oid:1.2.250.1.999.5', value: `shared-${String(Date.now())}` };
    for (const doc of [first, second]) {
      await h.store.update<DocumentReference>({
        ...doc,
        identifier: [...(doc.identifier ?? []), shared],
      });
    }

    const res = await jsonPatch(
      `/fhir/DocumentReference?identifier=${shared.system}|${shared.value}`,
      [{ op: 'replace', path: '/status', value: 'superseded' }],
    ).expect(412);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-CONDITIONAL-MULTIPLE-MATCHES');
  });

  // Who may delete is the consent service's rule (author only): see the wired access tests.
  it('a logical deletion is a new version, and ITI-68 then answers 410', async () => {
    const doc = await newDocument();
    const path = `/fhir/DocumentReference/${doc.id ?? ''}`;
    const deletion = [{ op: 'replace', path: '/status', value: 'entered-in-error' }];

    const res = await jsonPatch(path, deletion).expect(200);

    expect(res.body.status).toBe('entered-in-error');
    expect(res.body.meta.versionId).toBe('2');
    const binary = doc.content[0]?.attachment.url ?? '';
    await request(h.app)
      .get(`/fhir/${binary}`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(410);
  });

  it('answers 412 when If-Match names an old version', async () => {
    const doc = await newDocument();

    await jsonPatch(`/fhir/DocumentReference/${doc.id ?? ''}`, [
      { op: 'replace', path: '/status', value: 'superseded' },
    ])
      .set('If-Match', 'W/"7"')
      .expect(412);
  });
});
