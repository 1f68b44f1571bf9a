import { createHash } from 'node:crypto';
import request from 'supertest';
import type { Binary, Bundle, DocumentReference, List } from 'fhir/r4';
import { fhirXmlToJson, jsonToFhirXml } from '@dmp/http';
import { fixtureNames } from '@dmp/test-fixtures';
import { buildProvideBundle } from './builders';
import {
  asDmpSubmission,
  FIXTURE_PATIENTS,
  openHarness,
  readFixture,
  uniquify,
  type Harness,
} from './harness';

/**
 * ITI-65 and ITI-105 in FHIR XML: each official example goes to two fresh repositories, as FHIR
 * JSON to one and as FHIR XML to the other, and both must answer alike (status, entries, error
 * codes) and store the same resources.
 */
let json: Harness;
let xml: Harness;
/** In each repository, a stored document of the examples' patient (the Complete `appends`). */
const relatedTargets = new Map<Harness, string>();
beforeAll(async () => {
  [json, xml] = await Promise.all([openHarness(), openHarness()]);
  for (const h of [json, xml]) {
    const bundle = buildProvideBundle({ ins: FIXTURE_PATIENTS['ex-patient'] ?? '' });
    const created = await send(h, 'json', '/fhir', bundle).expect(200);
    const location = (created.body as Bundle).entry
      ?.map((e) => e.response?.location ?? '')
      .find((l) => l.startsWith('DocumentReference/'));
    relatedTargets.set(h, location?.split('/_history')[0] ?? '');
  }
  // Two repositories to open and fill: more than the default 20 s on a loaded machine.
}, 60_000);
afterAll(() => Promise.all([json.close(), xml.close()]));

const FHIR_XML = 'application/fhir+xml; charset=utf-8';

function send(h: Harness, encoding: 'json' | 'xml', path: string, resource: unknown) {
  return request(h.app)
    .post(path)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', encoding === 'xml' ? 'application/fhir+xml' : 'application/fhir+json')
    .send(encoding === 'xml' ? jsonToFhirXml(resource as object) : JSON.stringify(resource));
}

/** What a client sees of an answer: status, entry statuses and locations' types, error codes. */
function outcomeOf(res: request.Response) {
  const body = res.body as {
    entry?: { response?: { status?: string; location?: string } }[];
    issue?: { details?: { coding?: { code?: string }[] } }[];
  };
  return {
    status: res.status,
    entries: (body.entry ?? []).map((entry) => [
      entry.response?.status,
      entry.response?.location?.split('/')[0],
    ]),
    codes: (body.issue ?? []).map((issue) => issue.details?.coding?.map((c) => c.code)),
  };
}

/** The stored resources an answer points to, read back as JSON, with the ids made neutral. */
async function stored(h: Harness, res: request.Response): Promise<unknown[]> {
  const body = res.body as {
    entry?: { response?: { location?: string } }[];
    id?: string;
    resourceType?: string;
  };
  const locations = body.entry
    ? body.entry.map((entry) => entry.response?.location ?? '')
    : [`${String(body.resourceType)}/${String(body.id)}`];
  const ids = locations.map((location) => location.split('/')[1] ?? '');
  const resources: unknown[] = [];
  for (const location of locations) {
    const [type = '', id = ''] = location.split('/');
    resources.push(await h.store.read(type, id));
  }
  let text = JSON.stringify(resources).replaceAll(relatedTargets.get(h) ?? '-', 'related');
  ids.forEach((id, index) => {
    if (id) text = text.replaceAll(id, `id-${String(index)}`);
  });
  const neutral = JSON.parse(
    text
      .replace(/"lastUpdated":"[^"]*"/g, '"lastUpdated":"-"')
      .replace(/urn:uuid:[0-9a-f-]{36}/g, 'urn:uuid:-')
      .replace(/Binary\/[0-9a-f-]{36}/g, 'Binary/-')
      // The blob key is the digest of the stored bytes, compared below as documents.
      .replace(/"valueString":"[0-9a-f]{64}"/g, '"valueString":"-"'),
  ) as unknown[];
  return [...neutral, ...(await documentsOf(h, resources))];
}

/**
 * The documents behind the stored Binaries, by ITI-68; a FHIR Document (stored as FHIR JSON)
 * parsed, since a Bundle read from XML is written with its keys in the definitions' order.
 */
async function documentsOf(h: Harness, resources: unknown[]): Promise<unknown[]> {
  const documents: unknown[] = [];
  for (const resource of resources as { resourceType: string; id: string }[]) {
    if (resource.resourceType !== 'Binary') continue;
    const res = await request(h.app)
      .get(`/fhir/Binary/${resource.id}`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .buffer(true)
      .parse((stream, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const bytes = res.body as Buffer;
    documents.push(
      String(res.headers['content-type']).startsWith('application/fhir+json')
        ? JSON.parse(bytes.toString('utf8'))
        : bytes.toString('base64'),
    );
  }
  return documents;
}

/** Sends `resource` to each repository, as JSON and as XML, made a DMP submission there. */
async function postTwins(path: string, resource: unknown) {
  const [asJson, asXml] = [
    await send(json, 'json', path, asDmpSubmission(resource, relatedTargets.get(json))),
    await send(xml, 'xml', path, asDmpSubmission(resource, relatedTargets.get(xml))),
  ];
  expect(outcomeOf(asXml)).toEqual(outcomeOf(asJson));
  return { asJson, asXml };
}

const ITI65_EXAMPLES = fixtureNames('mhd-4.2.3').filter(
  (name) =>
    /^Bundle-ex-.*ProvideDocumentBundle.*\.json$/.test(name) && !name.includes('-response-'),
);

describe('ITI-65 in FHIR XML, each MHD 4.2.3 example against its JSON twin', () => {
  it('covers every Provide Document Bundle example', () => {
    expect(ITI65_EXAMPLES).toHaveLength(9);
  });

  it.each(ITI65_EXAMPLES.filter((name) => !name.includes('Replace')))(
    '%s: same answer, same stored resources',
    async (file) => {
      const bundle = uniquify(readFixture<Bundle>('mhd-4.2.3', file));

      const { asJson, asXml } = await postTwins('/fhir', bundle);

      expect(asXml.status).toBe(200);
      expect(await stored(xml, asXml)).toEqual(await stored(json, asJson));
    },
  );

  it('Bundle-ex-comprehensiveProvideDocumentBundleReplace.json: same answer after its original', async () => {
    const original = uniquify(
      readFixture<Bundle>('mhd-4.2.3', 'Bundle-ex-comprehensiveProvideDocumentBundleSimple.json'),
    );
    const first = await postTwins('/fhir', original);
    const targets = [first.asJson, first.asXml].map(
      (res) =>
        (res.body as { entry: { response: { location: string } }[] }).entry
          .map((entry) => entry.response.location)
          .find((location) => location.startsWith('DocumentReference/'))
          ?.split('/_history')[0] ?? '',
    );
    const replacement = uniquify(
      readFixture<Bundle>('mhd-4.2.3', 'Bundle-ex-comprehensiveProvideDocumentBundleReplace.json'),
    );
    // The example's size is 24 for its 23 bytes (tests/fixtures/README.md): the true size here.
    const attachment = (replacement.entry?.[2]?.resource as DocumentReference).content[0]
      ?.attachment;
    if (attachment) attachment.size = 23;
    const pointed = (target: string) =>
      JSON.parse(
        JSON.stringify(replacement).replaceAll('DocumentReference/ex-documentreference', target),
      ) as Bundle;

    const asJson = await send(json, 'json', '/fhir', pointed(targets[0] ?? ''));
    const asXml = await send(xml, 'xml', '/fhir', pointed(targets[1] ?? ''));

    expect(outcomeOf(asXml)).toEqual(outcomeOf(asJson));
    expect(asXml.status).toBe(200);
  });

  it('the PDSm comprehensive bundle built from the PDSm 3.1.1 examples: same answer', async () => {
    const doc = readFixture<DocumentReference>(
      'pdsm-3.1.1',
      'examples',
      'DocumentReference-exemple-pdsm-documentreference.json',
    );
    const set = readFixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleSubmissionSet.json');
    const folder = readFixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleFolder.json');
    const binary = readFixture<Binary>('pdsm-3.1.1', 'examples', 'Binary-6789.json');
    const bytes = Buffer.from(binary.data ?? '', 'base64');
    const content = doc.content[0];
    // The example's hash is the empty-file digest and its size 345678 (tests/fixtures/README.md).
    if (content) {
      content.attachment = {
        ...content.attachment,
        url: 'urn:uuid:c0000000-0000-0000-0000-000000000003',
        size: bytes.length,
        hash: createHash('sha1').update(bytes).digest('base64'),
      };
    }
    const docUrl = 'urn:uuid:c0000000-0000-0000-0000-000000000002';
    set.entry = [{ item: { reference: docUrl } }];
    folder.entry = [{ item: { reference: docUrl } }];
    const entry = (n: number, resource: object, url: string) => ({
      fullUrl: `urn:uuid:c0000000-0000-0000-0000-00000000000${String(n)}`,
      resource,
      request: { method: 'POST', url },
    });
    const bundle = uniquify({
      resourceType: 'Bundle',
      meta: {
        profile: [
          'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle',
        ],
      },
      type: 'transaction',
      entry: [
        entry(1, set, 'List'),
        entry(2, doc, 'DocumentReference'),
        entry(4, folder, 'List'),
        entry(3, binary, 'Binary'),
      ],
    });

    const { asJson, asXml } = await postTwins('/fhir', bundle);

    expect(asXml.status).toBe(200);
    expect(await stored(xml, asXml)).toEqual(await stored(json, asJson));
  });

  it('answers the transaction-response in XML when asked, equal to the JSON one', async () => {
    const bundle = uniquify(
      readFixture<Bundle>('mhd-4.2.3', 'Bundle-ex-minimalProvideDocumentBundleSimple.json'),
    );

    const res = await send(xml, 'xml', '/fhir', asDmpSubmission(bundle)).set(
      'Accept',
      'application/fhir+xml',
    );

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(FHIR_XML);
    const answer = fhirXmlToJson(res.text, 128) as unknown as Bundle;
    expect(answer.type).toBe('transaction-response');
    expect(answer.entry?.map((e) => e.response?.status)).toEqual(
      bundle.entry?.map(() => '201 Created'),
    );
  });
});

describe('ITI-105 in FHIR XML against its JSON twin', () => {
  const examples: [string, () => DocumentReference][] = [
    [
      'MHD DocumentReference-ex-DocumentReferenceSimplifiedPublish',
      () =>
        readFixture<DocumentReference>(
          'mhd-4.2.3',
          'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
        ),
    ],
    [
      'PDSm DocumentReference-PDSmSimplifiedExample, as published (refused: wrong hash)',
      () =>
        readFixture<DocumentReference>(
          'pdsm-3.1.1',
          'examples',
          'DocumentReference-PDSmSimplifiedExample.json',
        ),
    ],
    [
      'PDSm DocumentReference-PDSmSimplifiedExample without its wrong hash and size',
      () => {
        const example = readFixture<DocumentReference>(
          'pdsm-3.1.1',
          'examples',
          'DocumentReference-PDSmSimplifiedExample.json',
        );
        const attachment = example.content[0]?.attachment;
        delete attachment?.hash;
        delete attachment?.size;
        return example;
      },
    ],
  ];

  it.each(examples)('%s: same answer', async (_name, load) => {
    const document = uniquify(load());

    const { asJson, asXml } = await postTwins('/fhir/DocumentReference', document);

    if (asJson.status === 201) {
      expect(await stored(xml, asXml)).toEqual(await stored(json, asJson));
    }
  });
});
