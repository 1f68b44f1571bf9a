import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import type { Express } from 'express';
import { createTokenVerifier, openDevIssuer } from '@dmp/auth';
import { createServiceApp } from './create-app';
import { liftedBytesOf } from './lifted-base64';
import { silentLogger } from './logger';
import { createMetrics } from './metrics';
import type { RouteDefinition } from './route';

const rawDocument: RouteDefinition = {
  method: 'GET',
  path: '/Binary/:id',
  produces: 'any',
  handler: () =>
    Promise.resolve({
      status: 200,
      stream: Readable.from([Buffer.from('%PDF-1.4 raw')]),
      contentType: 'application/pdf',
    }),
};
const patchEcho: RouteDefinition = {
  method: 'PATCH',
  path: '/Thing/:id',
  body: 'patch',
  handler: (req) =>
    Promise.resolve({
      status: 200,
      resource: {
        resourceType: 'Parameters',
        parameter: [{ name: 'body', valueString: JSON.stringify(req.body) }],
      },
    }),
};
const smallBody: RouteDefinition = {
  method: 'POST',
  path: '/Small',
  body: 'resource',
  bodyLimit: 50,
  handler: () => Promise.resolve({ status: 200, resource: { resourceType: 'Parameters' } }),
};
/** Tells how a Binary's `data` reached the handler: lifted bytes, or text. */
const liftingBody: RouteDefinition = {
  method: 'POST',
  path: '/Binary',
  body: 'resource',
  liftBase64: (holder) => holder.resourceType === 'Binary',
  handler: (req) => {
    const binary = req.body as { data?: string };
    return Promise.resolve({
      status: 200,
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'liftedBytes', valueInteger: liftedBytesOf(binary)?.length ?? -1 },
          { name: 'dataLength', valueInteger: binary.data?.length ?? -1 },
        ],
      },
    });
  },
};

let dataDir: string;
let app: Express;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-route-options-'));
  const issuer = await openDevIssuer(dataDir);
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  token = await issuer.sign({ sub: 'sys', extensions: { fr_dmp: { actor_kind: 'system' } } });
  app = createServiceApp({
    authenticate: (header) => verifier.verify(header),
    logger: silentLogger(),
    metrics: createMetrics('route-options'),
    bodyLimit: '1mb',
    softwareVersion: '0.0.0-test',
    capability: { name: 'Test', title: 'Test', description: 'route options' },
    routes: [rawDocument, patchEcho, smallBody, liftingBody],
    readiness: () => Promise.resolve(),
  });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('route options of the HTTP kit', () => {
  it('a produces=any route answers a non-FHIR Accept with its raw stream and exact media type', async () => {
    const res = await request(app)
      .get('/fhir/Binary/1')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept', 'application/pdf')
      .buffer(true)
      .parse((stream, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);

    expect(res.headers['content-type']).toBe('application/pdf');
    expect((res.body as Buffer).toString()).toBe('%PDF-1.4 raw');
  });

  it('a patch route accepts application/json-patch+json and parses the array', async () => {
    const res = await request(app)
      .patch('/fhir/Thing/1')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'current' }]))
      .expect(200);

    expect(res.body.parameter[0].valueString).toContain('"op":"replace"');
  });

  it('a route body limit overrides the service limit (413)', async () => {
    const res = await request(app)
      .post('/fhir/Small')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Parameters', id: 'x'.repeat(100) }))
      .expect(413);

    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('refuses a body that does not decode by its Content-Encoding (400, not 500)', async () => {
    const res = await request(app)
      .post('/fhir/Small')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .set('Content-Encoding', 'gzip')
      .send('{"resourceType":"Binary"}')
      .expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-HTTP-MALFORMED-JSON');
  });

  it('an unknown FHIR path answers 401 without a token and 404 with one', async () => {
    await request(app).get('/fhir/Nothing').expect(401);
    await request(app).get('/fhir/Nothing').set('Authorization', `Bearer ${token}`).expect(404);
  });
});

describe('a route that lifts base64 documents out of its JSON body', () => {
  const content = Buffer.alloc(60_000, 7);
  const binary = JSON.stringify({ resourceType: 'Binary', data: content.toString('base64') });
  const post = (body: string | Buffer, contentType = 'application/fhir+json') =>
    request(app)
      .post('/fhir/Binary')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', contentType)
      .send(body);
  const reported = (res: request.Response, name: string): unknown =>
    (res.body.parameter as { name: string; valueInteger: number }[]).find((p) => p.name === name)
      ?.valueInteger;

  it('hands the handler the decoded bytes instead of the base64 text', async () => {
    const res = await post(binary).expect(200);

    expect(reported(res, 'liftedBytes')).toBe(content.length);
    expect(reported(res, 'dataLength')).toBeLessThan(100);
  });

  it('reads a gzip-encoded body and one with a byte order mark the same way', async () => {
    const gzipped = await request(app)
      .post('/fhir/Binary')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .set('Content-Encoding', 'gzip')
      .serialize(() => gzipSync(Buffer.from(binary)) as unknown as string)
      .send({})
      .expect(200);
    const withBom = await post('\ufeff' + binary);

    expect(reported(gzipped, 'liftedBytes')).toBe(content.length);
    expect(reported(withBom, 'liftedBytes')).toBe(content.length);
  });

  it.each([
    ['malformed JSON', binary.slice(0, -1), 400, 'DMP-HTTP-MALFORMED-JSON'],
    ['a string at the top', JSON.stringify('x'), 400, 'DMP-HTTP-MALFORMED-JSON'],
    [
      'a body over the limit',
      JSON.stringify({ data: 'A'.repeat(1_100_000) }),
      413,
      'DMP-HTTP-PAYLOAD-TOO-LARGE',
    ],
  ])('refuses %s like every JSON route', async (_name, body, status, code) => {
    const res = await post(body).expect(status);

    expect(res.body.issue[0].details.coding[0].code).toBe(code);
  });

  it('refuses a body that does not decode by its Content-Encoding (400)', async () => {
    const res = await post('{"resourceType":"Binary"}').set('Content-Encoding', 'gzip').expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-HTTP-MALFORMED-JSON');
  });

  it('refuses a charset other than UTF-8 (415)', async () => {
    const res = await post(binary, 'application/fhir+json; charset=utf-16').expect(415);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-HTTP-UNSUPPORTED-MEDIA-TYPE');
  });
});
