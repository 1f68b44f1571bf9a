import { createHash } from 'node:crypto';
import request from 'supertest';
import type { AuditEvent, Binary, DocumentReference, List } from 'fhir/r4';
import { buildProvideBundle, makeIns } from './builders';
import { openHarness, type Harness } from './harness';

let h: Harness;
let document: DocumentReference;
let binaryPath: string;
const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));

const binaryParser = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};
const retrieve = (path = binaryPath) =>
  request(h.app)
    .get(path)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .buffer(true)
    .parse(binaryParser);

beforeAll(async () => {
  h = await openHarness();
  const res = await request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(buildProvideBundle({ ins: makeIns(31), content: bytes })))
    .expect(200);
  const location =
    (res.body.entry as { response: { location: string } }[])
      .map((e) => e.response.location)
      .find((l) => l.startsWith('DocumentReference/')) ?? '';
  const read = await request(h.app)
    .get(`/fhir/${location.split('/_history')[0]}`)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .expect(200);
  document = read.body as DocumentReference;
  binaryPath = new URL(document.content[0]?.attachment.url ?? '').pathname;
});
afterAll(() => h.close());

describe('ITI-68 Retrieve Document', () => {
  it('streams the exact bytes: SHA-1 and length equal the DocumentReference hash and size', async () => {
    const res = await retrieve().expect(200);

    const body = res.body as Buffer;
    expect(createHash('sha1').update(body).digest('base64')).toBe(
      document.content[0]?.attachment.hash,
    );
    expect(body.length).toBe(document.content[0]?.attachment.size);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-length']).toBe(String(bytes.length));
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers.etag).toBe(`"${document.content[0]?.attachment.hash ?? ''}"`);
    expect(res.headers['last-modified']).toBeDefined();
  });

  it('answers one byte range with 206 and Content-Range', async () => {
    const res = await retrieve().set('Range', 'bytes=100-199').expect(206);

    expect((res.body as Buffer).equals(bytes.subarray(100, 200))).toBe(true);
    expect(res.headers['content-range']).toBe(`bytes 100-199/${String(bytes.length)}`);
  });

  it('answers 416 for a range beyond the end', async () => {
    const res = await retrieve().set('Range', 'bytes=99999-').expect(416);

    expect(res.headers['content-range']).toBe(`bytes */${String(bytes.length)}`);
  });

  it('answers 304 when If-None-Match carries the ETag', async () => {
    const first = await retrieve().expect(200);

    await retrieve().set('If-None-Match', String(first.headers.etag)).expect(304);
  });

  it('answers the FHIR Binary resource for Accept application/fhir+json and application/json', async () => {
    for (const accept of ['application/fhir+json', 'application/json']) {
      const res = await request(h.app)
        .get(binaryPath)
        .set('Authorization', `Bearer ${h.systemToken}`)
        .set('Accept', accept)
        .expect(200);

      expect(res.body).toMatchObject({
        resourceType: 'Binary',
        contentType: 'application/pdf',
        data: bytes.toString('base64'),
      });
      expect(JSON.stringify(res.body)).not.toContain('blob-key');
    }
  });

  it('answers 406 when Accept allows neither the document type nor FHIR JSON', async () => {
    await request(h.app)
      .get(binaryPath)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .set('Accept', 'image/png')
      .expect(406);
  });

  it('answers 404 for an unknown document and 410 for a deleted one', async () => {
    await retrieve('/fhir/Binary/unknown-id').expect(404);
    const id = binaryPath.split('/').pop() ?? '';
    const other = await h.store.create<Binary>({
      resourceType: 'Binary',
      contentType: 'text/plain',
    });
    await h.store.delete('Binary', other.id ?? '');

    await retrieve(`/fhir/Binary/${other.id ?? ''}`).expect(410);
    expect(id.length).toBeGreaterThan(0);
  });
});

describe('reads of DocumentReference and List', () => {
  it('read, vread and _history answer the stored versions with ETag', async () => {
    const path = `/fhir/DocumentReference/${document.id ?? ''}`;

    const read = await request(h.app)
      .get(path)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    const vread = await request(h.app)
      .get(`${path}/_history/1`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    const history = await request(h.app)
      .get(`${path}/_history`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);

    expect(read.headers.etag).toBe('W/"1"');
    expect(vread.body.id).toBe(document.id);
    expect(history.body).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 1 });
  });

  it('answers 404 for an unknown id and 410 for a removed List', async () => {
    await request(h.app)
      .get('/fhir/DocumentReference/nope')
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(404);
    const list = await h.store.create<List>({
      resourceType: 'List',
      status: 'current',
      mode: 'working',
    });
    await h.store.delete('List', list.id ?? '');

    await request(h.app)
      .get(`/fhir/List/${list.id ?? ''}`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(410);
  });

  it('answers a token without the scope as for an unknown id (404), and records the refusal', async () => {
    const token = await h.token({
      sub: 'app',
      scope: 'system/List.rs',
      extensions: { fr_dmp: { actor_kind: 'system' } },
    });
    const before = await h.store.outbox.pending('audit');

    const known = await request(h.app)
      .get(binaryPath)
      .set('Authorization', `Bearer ${token}`)
      .expect(404);
    const unknown = await request(h.app)
      .get('/fhir/Binary/no-such-id')
      .set('Authorization', `Bearer ${token}`)
      .expect(404);

    expect(known.body.issue[0].details.coding[0].code).toBe('DMP-RESOURCE-NOT-FOUND');
    expect(known.body.issue[0].details.coding).toEqual(unknown.body.issue[0].details.coding);
    expect(await h.store.outbox.pending('audit')).toBe(before + 2);
  });
});

describe('the ITI-68 AuditEvent', () => {
  it('names the document read by its title, for the patient’s access history', async () => {
    await h.store.outbox.claim('audit', 10_000, 60_000); // what earlier reads recorded

    await retrieve().expect(200);

    const records = await h.store.outbox.claim('audit', 10, 60_000);
    const events = records.map((record) => record.payload as AuditEvent);
    const retrieved = events.find((event) =>
      event.subtype?.some((coding) => coding.code === 'ITI-68'),
    );
    const entity = retrieved?.entity?.find((e) => e.what?.reference?.startsWith('Binary/'));
    expect(entity?.what).toEqual({
      reference: binaryPath.replace('/fhir/', ''),
      display: document.content[0]?.attachment.title,
    });
    expect(document.content[0]?.attachment.title).toBeTruthy();
  });
});
