import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bundle, DocumentReference } from 'fhir/r4';
import { buildProvideBundle, makeIns } from './builders';
import { openHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

const post = (bundle: Bundle) =>
  request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const blobFile = (bytes: Buffer) =>
  path.join(h.blobDir, 'objects', sha256(bytes).slice(0, 2), sha256(bytes));

function documentOf(bundle: Bundle): DocumentReference {
  const entry = bundle.entry?.find((e) => e.resource?.resourceType === 'DocumentReference');
  return entry?.resource as DocumentReference;
}

/**
 * Concurrent submissions share the store's commits (group commit): each must still be all or
 * nothing on its own, whatever the others do.
 */
describe('concurrent ITI-65 submissions', () => {
  it('store the valid ones whole and leave nothing of one that fails inside its transaction', async () => {
    const contents = [1, 2, 3].map((n) => Buffer.from(`%PDF-1.4 concurrent ${n} ${randomUUID()}`));
    const bundles = contents.map((content, n) =>
      buildProvideBundle({
        ins: makeIns(900 + n),
        content,
        masterId: `urn:oid:1.2.250.1.999.77.${String(Date.now())}.${String(n)}`,
      }),
    );
    // The second's hash names other bytes: refused once its bytes are stored and its
    // masterIdentifier claimed, in its transaction.
    const invalid = structuredClone(bundles[1] as Bundle);
    const attachment = documentOf(invalid).content[0]?.attachment;
    if (attachment) attachment.hash = createHash('sha1').update('other bytes').digest('base64');

    const responses = await Promise.all([
      post(bundles[0] as Bundle),
      post(invalid),
      post(bundles[2] as Bundle),
    ]);

    expect(responses.map((res) => res.status)).toEqual([200, 422, 200]);
    for (const n of [0, 2]) {
      const locations = (
        responses[n]?.body as { entry: { response: { location: string } }[] }
      ).entry.map((e) => e.response.location.split('/_history')[0] ?? '');
      for (const location of locations) {
        const [type, id] = location.split('/');
        await expect(h.store.read(type as 'List', id ?? '')).resolves.toBeDefined();
      }
      expect(existsSync(blobFile(contents[n] as Buffer))).toBe(true);
    }
    expect(existsSync(blobFile(contents[1] as Buffer))).toBe(false);
    const master = documentOf(invalid).masterIdentifier ?? {};
    await expect(h.store.findByIdentifier('DocumentReference', master)).resolves.toEqual([]);
    // Its masterIdentifier was not kept: the corrected submission is accepted.
    expect((await post(bundles[1] as Bundle)).status).toBe(200);
  });
});
