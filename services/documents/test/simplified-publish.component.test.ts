import { createHash } from 'node:crypto';
import request from 'supertest';
import type { DocumentReference, List } from 'fhir/r4';
import { buildProvideBundle, makeIns } from './builders';
import { openHarness, readFixture, uniquify, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness({ maxDocumentBytes: 64 * 1024 });
});
afterAll(() => h.close());

const MINIMAL_DOCUMENT_REFERENCE =
  'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference';

const publish = (document: unknown) =>
  request(h.app)
    .post('/fhir/DocumentReference')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(document));

/** The MHD ITI-105 example, with a fresh masterIdentifier. */
const mhdExample = () =>
  uniquify(
    readFixture<DocumentReference>(
      'mhd-4.2.3',
      'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
    ),
  );

/** The PDSm one, without its hash and size (they do not describe its data: fixtures README). */
function pdsmExample(): DocumentReference {
  const example = uniquify(
    readFixture<DocumentReference>(
      'pdsm-3.1.1',
      'examples',
      'DocumentReference-PDSmSimplifiedExample.json',
    ),
  );
  delete example.content[0]?.attachment.hash;
  delete example.content[0]?.attachment.size;
  return example;
}

describe('ITI-105 Simplified Publish', () => {
  it('extracts the bytes into a Binary, computes hash and size, derives the SubmissionSet, answers 201', async () => {
    const example = uniquify(
      readFixture<DocumentReference>(
        'mhd-4.2.3',
        'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
      ),
    );

    const res = await publish(example).expect(201);

    const bytes = Buffer.from('Hello World');
    expect(res.headers.location).toMatch(/\/fhir\/DocumentReference\/[^/]+\/_history\/1$/);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.body.content[0].attachment.data).toBeUndefined();
    expect(res.body.content[0].attachment.hash).toBe(
      createHash('sha1').update(bytes).digest('base64'),
    );
    expect(res.body.content[0].attachment.size).toBe(bytes.length);
    const binary = await request(h.app)
      .get(new URL(String(res.body.content[0].attachment.url)).pathname)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    expect(binary.text).toBe('Hello World');
    const lists = await request(h.app)
      .get(
        `/fhir/List?patient=${String(res.body.subject.reference)}&status=current&code=submissionset`,
      )
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    expect(JSON.stringify(lists.body)).toContain(`DocumentReference/${String(res.body.id)}`);
  });

  it('accepts the PDSm simplified-publish example once its hash/size describe its data', async () => {
    const example = uniquify(
      readFixture<DocumentReference>(
        'pdsm-3.1.1',
        'examples',
        'DocumentReference-PDSmSimplifiedExample.json',
      ),
    );
    const attachment = example.content[0]?.attachment;
    // The example carries size 250000 and the empty-file hash for "Hello World": both are refused.
    const refused = await publish(example).expect(422);
    expect(refused.body.issue[0].details.coding[1].code).toBe('XDSNonIdenticalHash');
    if (attachment) {
      delete attachment.hash;
      delete attachment.size;
    }

    await publish(example).expect(201);
  });

  it('stores the document under the profile it meets once its data became url/hash/size', async () => {
    for (const example of [mhdExample(), pdsmExample()]) {
      const res = await publish(example).expect(201);
      const stored = await h.store.read<DocumentReference>('DocumentReference', res.body.id);

      expect({ answered: res.body.meta.profile, stored: stored.meta?.profile }).toEqual({
        answered: [MINIMAL_DOCUMENT_REFERENCE],
        stored: [MINIMAL_DOCUMENT_REFERENCE],
      });
    }
  });

  it.each([
    ['author', 'DocumentReference.author'],
    ['title', 'DocumentReference.content[0].attachment.title'],
  ])(
    'enforces the PDSm simplified-publish cardinalities when that profile is claimed: %s 1..',
    async (element, expression) => {
      const example = pdsmExample();
      if (element === 'author') delete example.author;
      else delete example.content[0]?.attachment.title;
      const before = await publish({ ...example, meta: undefined });

      const res = await publish(example).expect(400);

      expect(before.status).toBe(201);
      expect(res.body.issue.map((i: { expression: string[] }) => i.expression)).toEqual([
        [expression],
      ]);
      expect(res.body.issue[0].details.coding[0].code).toBe('DMP-MHD-METADATA-MISSING');
    },
  );

  it('derives a SubmissionSet whose uniqueId is an OID (MHD SubmissionSet uniqueId)', async () => {
    const res = await publish(mhdExample()).expect(201);

    const lists = await request(h.app)
      .get(
        `/fhir/List?patient=${String(res.body.subject.reference)}&status=current&code=submissionset`,
      )
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    const set = (lists.body.entry as { resource: List }[])
      .map((e) => e.resource)
      .find((l) => JSON.stringify(l.entry).includes(`DocumentReference/${String(res.body.id)}`));
    expect(set?.identifier?.find((i) => i.use === 'usual')?.value).toMatch(/^urn:oid:2\.25\.\d+$/);
  });

  it('supersedes the document it replaces', async () => {
    const ins = makeIns(808);
    const first = await request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${h.systemToken}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(buildProvideBundle({ ins })))
      .expect(200);
    const target =
      (first.body.entry as { response: { location: string } }[])
        .map((e) => e.response.location)
        .find((l) => l.startsWith('DocumentReference/'))
        ?.split('/_history')[0] ?? '';
    const replacement = uniquify(
      readFixture<DocumentReference>(
        'mhd-4.2.3',
        'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
      ),
    );
    replacement.subject = {
      type: 'Patient',
      identifier: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: ins },
    };
    replacement.relatesTo = [{ code: 'replaces', target: { reference: target } }];

    await publish(replacement).expect(201);

    expect(
      (await h.store.read<DocumentReference>('DocumentReference', target.split('/')[1] ?? ''))
        .status,
    ).toBe('superseded');
  });

  it('refuses a document larger than the configured maximum with 413', async () => {
    const example = uniquify(
      readFixture<DocumentReference>(
        'mhd-4.2.3',
        'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
      ),
    );
    const attachment = example.content[0]?.attachment;
    if (attachment) attachment.data = Buffer.alloc(70 * 1024, 1).toString('base64');

    const res = await publish(example).expect(413);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-MHD-DOCUMENT-TOO-LARGE');
  });

  it('refuses a document without inline data (XDSMissingDocument)', async () => {
    const example = uniquify(
      readFixture<DocumentReference>(
        'mhd-4.2.3',
        'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
      ),
    );
    const attachment = example.content[0]?.attachment;
    if (attachment) delete attachment.data;

    const res = await publish(example).expect(400);

    expect(res.body.issue[0].expression).toEqual(['DocumentReference.content[0].attachment.data']);
  });
});
