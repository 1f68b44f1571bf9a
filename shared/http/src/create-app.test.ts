import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import type { OperationOutcome, Patient } from 'fhir/r4';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import { parseSearch } from '@dmp/fhir';
import { createServiceApp } from './create-app';
import { silentLogger } from './logger';
import { createMetrics } from './metrics';
import type { RouteDefinition } from './route';

const echoPatient: RouteDefinition = {
  method: 'POST',
  path: '/Patient',
  body: 'resource',
  capability: { resourceType: 'Patient', interaction: 'create' },
  handler: (req) =>
    Promise.resolve({
      status: 201,
      resource: { ...(req.body as Patient), id: 'p1', meta: { versionId: '1' } },
      headers: { Location: `${req.baseUrl}/Patient/p1/_history/1` },
    }),
};
const searchPatients: RouteDefinition = {
  method: 'POST',
  path: '/Patient/_search',
  body: 'search-form',
  capability: { resourceType: 'Patient', interaction: 'search-type' },
  handler: (req) =>
    Promise.resolve({
      status: 200,
      resource: {
        resourceType: 'Parameters',
        parameter: [...req.searchParams].map(([name, valueString]) => ({ name, valueString })),
      },
    }),
};
const findPatients: RouteDefinition = {
  method: 'GET',
  path: '/Patient',
  capability: { resourceType: 'Patient', interaction: 'search-type' },
  handler: (req) => {
    const { query } = parseSearch('Patient', req.searchParams, {
      lenient: req.prefer.handling === 'lenient',
      maxCount: 50,
    });
    return Promise.resolve({
      status: 200,
      resource: { resourceType: 'Bundle', type: 'searchset', total: query.filters.length },
    });
  },
};
const transaction: RouteDefinition = {
  method: 'POST',
  path: '/',
  body: 'resource',
  capability: { system: 'transaction' },
  handler: () =>
    Promise.resolve({
      status: 200,
      resource: { resourceType: 'Bundle', type: 'transaction-response' },
    }),
};
const failing: RouteDefinition = {
  method: 'GET',
  path: '/Patient/:id',
  capability: { resourceType: 'Patient', interaction: 'read' },
  handler: (req) => {
    if (req.params.id === 'missing')
      throw fhirError('DMP-RESOURCE-NOT-FOUND', 'No such Patient', 'id');
    throw new Error('database exploded with secret details');
  },
};

const rootStatus: RouteDefinition = {
  method: 'GET',
  path: '/status',
  root: true,
  handler: () =>
    Promise.resolve({ status: 200, resource: { resourceType: 'Parameters', parameter: [] } }),
};

let dataDir: string;
let issuer: DevIssuer;
let app: Express;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-http-'));
  issuer = await openDevIssuer(dataDir);
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  app = createServiceApp({
    capability: { name: 'Test', title: 'Test service', description: 'for tests' },
    routes: [echoPatient, searchPatients, findPatients, transaction, failing, rootStatus],
    authenticate: (header) => verifier.verify(header),
    readiness: () => Promise.resolve(),
    logger: silentLogger(),
    metrics: createMetrics('test'),
    bodyLimit: 1024,
    softwareVersion: '9.9.9',
  });
  token = await issuer.sign({
    sub: 'client-1',
    fr_dmp: { actor_kind: 'system' },
    scope: 'system/*.cruds',
  });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function expectOutcome(body: unknown, code: string): OperationOutcome {
  const outcome = body as OperationOutcome;
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue[0]?.details?.coding?.[0]?.code).toBe(code);
  return outcome;
}

describe('createServiceApp', () => {
  it('serves a CapabilityStatement built from the route table, without a token', async () => {
    const res = await request(app).get('/fhir/metadata').expect(200);

    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(res.body.software.version).toBe('9.9.9');
    const patient = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.interaction.map((i: { code: string }) => i.code).sort()).toEqual([
      'create',
      'read',
      'search-type',
    ]);
    expect(res.body.rest[0].interaction).toEqual([{ code: 'transaction' }]);
  });

  it('answers 401 with WWW-Authenticate and an OperationOutcome when the token is missing', async () => {
    const res = await request(app).get('/fhir/Patient/1').expect(401);

    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expectOutcome(res.body, 'DMP-AUTH-TOKEN-MISSING');
  });

  it('does not read the body of an unauthenticated request', async () => {
    const res = await request(app)
      .post('/fhir/Patient')
      .set('Content-Type', 'application/fhir+json')
      .send('{not json')
      .expect(401);

    expectOutcome(res.body, 'DMP-AUTH-TOKEN-MISSING');
  });

  it.each([
    ['a forged payload', () => forge(token)],
    [
      'alg none',
      () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: issuer.issuer, sub: 'x', aud: 'urn:dmp:services', exp: 9999999999 })}.`,
    ],
    ['garbage', () => 'not-a-token'],
  ])('rejects %s with 401 DMP-AUTH-TOKEN-INVALID', async (_name, makeToken) => {
    const res = await request(app)
      .get('/fhir/Patient/1')
      .set('Authorization', `Bearer ${makeToken()}`)
      .expect(401);

    expectOutcome(res.body, 'DMP-AUTH-TOKEN-INVALID');
  });

  it('rejects an expired token with 401 DMP-AUTH-TOKEN-EXPIRED', async () => {
    const expired = await issuer.sign(
      { sub: 'c', fr_dmp: { actor_kind: 'system' } },
      { ttlSeconds: 60, issuedAt: Math.floor(Date.now() / 1000) - 3600 },
    );

    const res = await request(app)
      .get('/fhir/Patient/1')
      .set('Authorization', `Bearer ${expired}`)
      .expect(401);

    expectOutcome(res.body, 'DMP-AUTH-TOKEN-EXPIRED');
  });

  it('accepts FHIR JSON and answers the representation with Location', async () => {
    const res = await request(app)
      .post('/fhir/Patient')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json; charset=utf-8')
      .send(JSON.stringify({ resourceType: 'Patient', active: true }))
      .expect(201);

    expect(res.body).toMatchObject({ resourceType: 'Patient', id: 'p1', active: true });
    expect(res.headers.location).toMatch(/\/fhir\/Patient\/p1\/_history\/1$/);
  });

  it('honours Prefer: return=minimal and return=OperationOutcome on writes', async () => {
    const post = (prefer: string) =>
      request(app)
        .post('/fhir/Patient')
        .set('Authorization', `Bearer ${token}`)
        .set('Prefer', prefer)
        .type('application/json')
        .send({ resourceType: 'Patient' });

    const minimal = await post('return=minimal').expect(201);
    const outcome = await post('return=OperationOutcome').expect(201);

    expect(minimal.text).toBe('');
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    expect(outcome.body.issue[0].severity).toBe('information');
  });

  it('answers 400 DMP-HTTP-MALFORMED-JSON to a malformed body', async () => {
    const res = await request(app)
      .post('/fhir/Patient')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .send('{"resourceType": "Patient",')
      .expect(400);

    expectOutcome(res.body, 'DMP-HTTP-MALFORMED-JSON');
  });

  it('answers 415 to a body of another media type', async () => {
    const res = await request(app)
      .post('/fhir/Patient')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'text/plain')
      .send('Patient')
      .expect(415);

    expectOutcome(res.body, 'DMP-HTTP-UNSUPPORTED-MEDIA-TYPE');
  });

  it('answers 413 to a body over the limit', async () => {
    const res = await request(app)
      .post('/fhir/Patient')
      .set('Authorization', `Bearer ${token}`)
      .type('application/fhir+json')
      .send({ resourceType: 'Patient', text: { status: 'generated', div: 'x'.repeat(2000) } })
      .expect(413);

    expectOutcome(res.body, 'DMP-HTTP-PAYLOAD-TOO-LARGE');
  });

  it('answers 406 when neither FHIR JSON nor FHIR XML is acceptable', async () => {
    const viaFormat = await request(app).get('/fhir/metadata?_format=html').expect(406);
    const viaAccept = await request(app)
      .get('/fhir/metadata')
      .set('Accept', 'text/html, application/pdf')
      .expect(406);

    expectOutcome(viaFormat.body, 'DMP-HTTP-NOT-ACCEPTABLE');
    expectOutcome(viaAccept.body, 'DMP-HTTP-NOT-ACCEPTABLE');
  });

  it('answers 406 on a JSON-only route when Accept refuses JSON with q=0', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    for (const accept of ['application/json;q=0', 'application/fhir+json;q=0, text/html']) {
      const res = await request(app).get('/status').set(auth).set('Accept', accept).expect(406);
      expectOutcome(res.body, 'DMP-HTTP-NOT-ACCEPTABLE');
    }
    await request(app).get('/status').set(auth).set('Accept', 'text/html, */*;q=0.1').expect(200);
    await request(app).get('/status').set(auth).set('Accept', 'application/json').expect(200);
  });

  it('merges the POST _search form with the query string', async () => {
    const res = await request(app)
      .post('/fhir/Patient/_search?_count=5')
      .set('Authorization', `Bearer ${token}`)
      .type('form')
      .send('family=Dupont&identifier=urn%3Aoid%3A1.2.250.1.213.1.4.8%7C255081416802538')
      .expect(200);

    expect(res.body.parameter).toEqual([
      { name: '_count', valueString: '5' },
      { name: 'family', valueString: 'Dupont' },
      { name: 'identifier', valueString: 'urn:oid:1.2.250.1.213.1.4.8|255081416802538' },
    ]);
  });

  it('accepts transactions on [base] and [base]/', async () => {
    for (const url of ['/fhir', '/fhir/']) {
      await request(app)
        .post(url)
        .set('Authorization', `Bearer ${token}`)
        .type('application/fhir+json')
        .send({ resourceType: 'Bundle', type: 'transaction' })
        .expect(200);
    }
  });

  it.each([
    ['an unknown parameter', 'foo=bar', 'DMP-SEARCH-UNKNOWN-PARAMETER', 'foo'],
    ['a bad date prefix', 'birthdate=xx2020-01-01', 'DMP-SEARCH-INVALID-PREFIX', 'birthdate'],
    ['a malformed date', 'birthdate=2020-13-45', 'DMP-SEARCH-INVALID-VALUE', 'birthdate'],
    ['_count beyond the cap', '_count=51', 'DMP-SEARCH-COUNT-TOO-LARGE', '_count'],
    [
      'an unknown modifier',
      'family:sounds-like=x',
      'DMP-SEARCH-UNKNOWN-PARAMETER',
      'family:sounds-like',
    ],
  ])('answers 400 to %s in a search', async (_case, query, code, expression) => {
    const res = await request(app)
      .get(`/fhir/Patient?${query}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(400);

    expect(expectOutcome(res.body, code).issue[0]?.expression?.[0]).toContain(expression);
  });

  it('ignores unknown search parameters with Prefer: handling=lenient', async () => {
    const res = await request(app)
      .get('/fhir/Patient?foo=bar&family=Martin')
      .set('Authorization', `Bearer ${token}`)
      .set('Prefer', 'handling=lenient')
      .expect(200);

    expect(res.body.total).toBe(1);
  });

  it('rejects a token signed by a key it does not trust', async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'dmp-other-'));
    try {
      const impostor = await (
        await openDevIssuer(otherDir)
      ).sign({ sub: 'x', fr_dmp: { actor_kind: 'system' } });

      const res = await request(app)
        .get('/fhir/Patient/1')
        .set('Authorization', `Bearer ${impostor}`)
        .expect(401);

      expectOutcome(res.body, 'DMP-AUTH-TOKEN-INVALID');
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await request(app)
      .delete('/fhir/Patient')
      .set('Authorization', `Bearer ${token}`)
      .expect(405);

    expect(res.headers.allow).toBe('POST, GET');
    expectOutcome(res.body, 'DMP-HTTP-METHOD-NOT-ALLOWED');
  });

  it('answers 404 as an OperationOutcome for an unknown route', async () => {
    const res = await request(app)
      .get('/fhir/Nothing/here/at/all')
      .set('Authorization', `Bearer ${token}`)
      .expect(404);

    expectOutcome(res.body, 'DMP-HTTP-ROUTE-NOT-FOUND');
  });

  it('passes handler FhirErrors through with their expression', async () => {
    const res = await request(app)
      .get('/fhir/Patient/missing')
      .set('Authorization', `Bearer ${token}`)
      .expect(404);

    expect(expectOutcome(res.body, 'DMP-RESOURCE-NOT-FOUND').issue[0]?.expression).toEqual(['id']);
  });

  it('hides unexpected errors behind a 500 OperationOutcome', async () => {
    const res = await request(app)
      .get('/fhir/Patient/boom')
      .set('Authorization', `Bearer ${token}`)
      .expect(500);

    expectOutcome(res.body, 'DMP-INTERNAL');
    expect(res.text).not.toContain('secret');
  });

  it('keeps a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await request(app).get('/healthz').set('X-Request-Id', 'abc-123').expect(200);
    const replaced = await request(app)
      .get('/healthz')
      .set('X-Request-Id', 'bad id\twith spaces')
      .expect(200);

    expect(kept.headers['x-request-id']).toBe('abc-123');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends API security headers', async () => {
    const res = await request(app).get('/fhir/metadata').expect(200);

    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves health and readiness without a token, metrics only to system or auditor tokens', async () => {
    await request(app).get('/healthz').expect(200);
    await request(app).get('/readyz').expect(200);
    await request(app).get('/metrics').expect(401);
    const practitioner = await issuer.sign({
      sub: '810000000001',
      fr_dmp: { actor_kind: 'practitioner' },
    });
    await request(app).get('/metrics').set('Authorization', `Bearer ${practitioner}`).expect(403);

    const res = await request(app)
      .get('/metrics')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);

    expect(res.text).toContain('http_requests_total');
  });
});

/** The same signature over a payload that now claims to be someone else. */
function forge(jwt: string): string {
  const [header, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as object;
  return `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`;
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
