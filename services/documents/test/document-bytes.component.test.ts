import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Binary, Bundle, DocumentReference } from 'fhir/r4';
import { buildProvideBundle, makeIns } from './builders';
import { openHarness, readFixture, uniquify, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

const binaryParser = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const post = (path: string, text: string) =>
  request(h.app)
    .post(path)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(text);

/** The bytes ITI-68 serves for the document an ITI-65 or ITI-105 answer names. */
async function storedBytes(documentPath: string): Promise<Buffer> {
  const read = await request(h.app)
    .get(`/fhir/${documentPath.split('/_history')[0] ?? ''}`)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .expect(200);
  const url = (read.body as DocumentReference).content[0]?.attachment.url ?? '';
  const res = await request(h.app)
    .get(new URL(url).pathname)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .buffer(true)
    .parse(binaryParser)
    .expect(200);
  return res.body as Buffer;
}

function documentLocation(answer: request.Response): string {
  return (
    (answer.body as Bundle).entry
      ?.map((e) => e.response?.location ?? '')
      .find((l) => l.startsWith('DocumentReference/')) ?? ''
  );
}

/** An ITI-65 bundle whose Binary carries `data` as given, and no size or hash to check it by. */
function bundleWithData(seed: number, data: string): Bundle {
  const bundle = buildProvideBundle({ ins: makeIns(seed) });
  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.resourceType === 'Binary') (entry.resource as Binary).data = data;
    if (entry.resource?.resourceType === 'DocumentReference') {
      const attachment = (entry.resource as DocumentReference).content[0]?.attachment;
      delete attachment?.size;
      delete attachment?.hash;
    }
  }
  return bundle;
}

const binaryIndex = (bundle: Bundle) =>
  bundle.entry?.findIndex((e) => e.resource?.resourceType === 'Binary') ?? -1;

describe('ITI-65 stores exactly the document sent in base64', () => {
  it.each([
    ['a character outside the base64 alphabet', 'JVBERi0x!jQK'],
    ['a length that is not a multiple of 4', 'JVBERi0xLjQ'],
    ['padding in the middle', 'JV==Ri0xLjQK'],
    ['a URL-safe character', 'JVBE_i0xLjQK'],
    ['a long text with a character outside the alphabet', `${'A'.repeat(40_000)}-AAA`],
  ])('refuses %s (400 naming the element), storing nothing', async (_name, data) => {
    const bundle = bundleWithData(71, data);

    const res = await post('/fhir', JSON.stringify(bundle)).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-RESOURCE-INVALID');
    expect(res.body.issue[0].expression).toEqual([
      `Bundle.entry[${String(binaryIndex(bundle))}].resource.data`,
    ]);
    const search = await request(h.app)
      .get(
        `/fhir/DocumentReference?patient.identifier=${encodeURIComponent(`urn:oid:1.2.250.1.213.1.4.8|${makeIns(71)}`)}&status=current`,
      )
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    expect(search.body.entry ?? []).toEqual([]);
  });

  it.each([
    ['a small document', 3_000, (b64: string) => b64],
    ['a large document (lifted from the body as bytes)', 300_000, (b64: string) => b64],
    [
      'base64 broken into lines, as FHIR allows',
      30_000,
      (b64: string) => b64.replace(/(.{76})/g, '$1\\n'),
    ],
    ['a large document with an escaped slash', 300_000, (b64: string) => b64.replace('/', '\\/')],
  ])('accepts %s and serves the same bytes', async (_name, size, encode) => {
    const content = randomBytes(size);
    if (!content.toString('base64').includes('/')) content[0] = 0xff;
    const bundle = bundleWithData(72, 'PLACEHOLDER');
    const text = JSON.stringify(bundle).replace('PLACEHOLDER', encode(content.toString('base64')));

    const res = await post('/fhir', text).expect(200);

    expect((await storedBytes(documentLocation(res))).equals(content)).toBe(true);
  });
});

describe('ITI-105 stores exactly the document sent in base64', () => {
  const publication = (data: string) => {
    const document = uniquify(
      readFixture<DocumentReference>(
        'mhd-4.2.3',
        'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
      ),
    );
    const attachment = document.content[0]?.attachment;
    if (attachment) {
      attachment.data = data;
      delete attachment.size;
      delete attachment.hash;
    }
    return document;
  };

  it('refuses text outside the base64 alphabet (400 naming the element)', async () => {
    const res = await post(
      '/fhir/DocumentReference',
      JSON.stringify(publication('JVBE*i0x')),
    ).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-RESOURCE-INVALID');
    expect(res.body.issue[0].expression).toEqual(['DocumentReference.content[0].attachment.data']);
  });

  it('accepts a large document and serves the same bytes', async () => {
    const content = randomBytes(40_000);

    const res = await post(
      '/fhir/DocumentReference',
      JSON.stringify(publication(content.toString('base64'))),
    ).expect(201);

    const location = String(res.headers.location).split('/fhir/')[1] ?? '';
    expect((await storedBytes(location)).equals(content)).toBe(true);
  });
});
