import request from 'supertest';
import type { Binary, Bundle, DocumentReference } from 'fhir/r4';
import { buildProvideBundle, makeIns } from './builders';
import { openHarness, readFixture, uniquify, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

const readBinary = (id: string) =>
  request(h.app)
    .get(`/fhir/Binary/${id}`)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Accept', 'application/fhir+json')
    .expect(200);

describe('a new Binary is at its first version', () => {
  it('ITI-65: Location …/_history/1, ETag W/"1", version 1 stored, already pointing at its document', async () => {
    const res = await request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${h.systemToken}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(buildProvideBundle({ ins: makeIns(1201) })))
      .expect(200);

    const responses = (res.body as Bundle).entry?.map((e) => e.response) ?? [];
    const binary = responses.find((r) => r?.location?.startsWith('Binary/'));
    const document = responses.find((r) => r?.location?.startsWith('DocumentReference/'));
    expect(binary?.location).toMatch(/^Binary\/[A-Za-z0-9\-.]+\/_history\/1$/);
    expect(binary?.etag).toBe('W/"1"');
    expect(document?.location).toMatch(/\/_history\/1$/);
    const binaryId = binary?.location?.split('/')[1] ?? '';
    const stored = (await readBinary(binaryId)).body as Binary;
    expect(stored.meta?.versionId).toBe('1');
    expect(stored.securityContext?.reference).toBe(
      `DocumentReference/${document?.location?.split('/')[1] ?? ''}`,
    );
    const history = await h.store.history('Binary', binaryId);
    expect(history).toHaveLength(1);
  });

  it('ITI-105: the Binary holding the published data is at version 1', async () => {
    const example = uniquify(
      readFixture<DocumentReference>(
        'mhd-4.2.3',
        'DocumentReference-ex-DocumentReferenceSimplifiedPublish.json',
      ),
    );
    const res = await request(h.app)
      .post('/fhir/DocumentReference')
      .set('Authorization', `Bearer ${h.systemToken}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(example))
      .expect(201);

    const binaryId = String(res.body.content[0].attachment.url).split('/Binary/')[1] ?? '';
    const stored = (await readBinary(binaryId)).body as Binary;
    expect(stored.meta?.versionId).toBe('1');
    expect(stored.securityContext?.reference).toBe(`DocumentReference/${String(res.body.id)}`);
    expect(await h.store.history('Binary', binaryId)).toHaveLength(1);
  });
});
