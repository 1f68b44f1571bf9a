import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { fhirError, withTrace } from '@dmp/errors';
import { createServiceApp } from './create-app';
import { silentLogger } from './logger';
import { createMetrics, type ServiceMetrics } from './metrics';
import type { Refusal } from './refusals';
import type { RouteDefinition } from './route';

const routes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/Thing/:id',
    traceAs: 'thing-read',
    handler: (req) => {
      if (req.params.id === 'hidden') {
        throw withTrace(fhirError('DMP-RESOURCE-NOT-FOUND', 'Thing/hidden is not known.'), {
          reason: 'MASKED',
          entities: ['Thing/hidden'],
        });
      }
      if (req.params.id === 'boom') throw new Error('driver exploded');
      return Promise.resolve({
        status: 200,
        resource: { resourceType: 'Basic', id: 'x' } as never,
      });
    },
  },
  {
    method: 'POST',
    path: '/',
    body: 'resource',
    handler: () => Promise.resolve({ status: 200, resource: { resourceType: 'Bundle' } as never }),
  },
  {
    method: 'GET',
    path: '/Thing',
    handler: (req) =>
      Promise.resolve({
        status: 200,
        resource: { resourceType: 'Basic', id: String(req.searchParams.size) } as never,
      }),
  },
];

let dir: string;
let issuer: DevIssuer;
let token: string;
let traced: Refusal[];
let failTracing: boolean;
let metrics: ServiceMetrics;
let app: Express;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dmp-refusals-'));
  issuer = await openDevIssuer(dir);
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  metrics = createMetrics('test');
  app = createServiceApp({
    capability: { name: 'T', title: 'T', description: 'test' },
    routes,
    authenticate: (header) => verifier.verify(header),
    readiness: () => Promise.resolve(),
    logger: silentLogger(),
    metrics,
    bodyLimit: '1mb',
    softwareVersion: '0',
    limits: { jsonDepth: 10, searchParameters: 5, searchValues: 3 },
    traceRefusal: (refusal) => {
      if (failTracing) return Promise.reject(new Error('outbox down'));
      traced.push(refusal);
      return Promise.resolve();
    },
  });
  token = await issuer.sign({ sub: 'doc-1', fr_dmp: { actor_kind: 'practitioner' } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  traced = [];
  failTracing = false;
});

const get = (url: string) => request(app).get(url).set('Authorization', `Bearer ${token}`);

describe('every refusal of an authenticated caller is handed to the tracer before the answer', () => {
  it('a handler refusal carries the route template, the raw query and the attached context', async () => {
    const res = await get('/fhir/Thing/hidden?x=%E2%80%A8y').expect(404);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-RESOURCE-NOT-FOUND');
    expect(JSON.stringify(res.body)).not.toContain('MASKED');
    expect(traced).toHaveLength(1);
    expect(traced[0]).toMatchObject({
      method: 'GET',
      route: '/fhir/Thing/:id',
      traceAs: 'thing-read',
      query: 'x=%E2%80%A8y',
      status: 404,
      context: { reason: 'MASKED', entities: ['Thing/hidden'] },
    });
    expect(traced[0]?.actor.id).toBe('doc-1');
    expect(traced[0]?.error.code).toBe('DMP-RESOURCE-NOT-FOUND');
  });

  it('an unexpected error is traced as a 500', async () => {
    await get('/fhir/Thing/boom').expect(500);
    expect(traced.map((t) => [t.status, t.error.code])).toEqual([[500, 'DMP-INTERNAL']]);
  });

  it('405, unknown FHIR paths and bad bodies are traced too', async () => {
    await request(app).delete('/fhir/Thing/1').set('Authorization', `Bearer ${token}`).expect(405);
    await get('/fhir/Nothing/here').expect(404);
    await request(app)
      .post('/fhir')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .send('{"resourceType":')
      .expect(400);

    expect(traced.map((t) => [t.status, t.route])).toEqual([
      [405, '/fhir/Thing/:id'],
      [404, 'unmatched'],
      [400, '/fhir'],
    ]);
  });

  it('401s are not traced (unknown caller) but counted', async () => {
    const before = (await metrics.unauthenticated.get()).values[0]?.value ?? 0;
    await request(app).get('/fhir/Thing/1').expect(401);
    await request(app).get('/fhir/Thing/1').set('Authorization', 'Bearer nope').expect(401);

    expect(traced).toEqual([]);
    expect((await metrics.unauthenticated.get()).values[0]?.value).toBe(before + 2);
  });

  it('the answer still goes when the tracer fails', async () => {
    failTracing = true;
    await get('/fhir/Thing/hidden').expect(404);
  });
});

describe('one route label per endpoint, whatever the status', () => {
  it('labels 200, 401 and 404 of the same endpoint alike, and ITI-65 on the base as /fhir', async () => {
    await get('/fhir/Thing/1').expect(200);
    await request(app).get('/fhir/Thing/2').expect(401);
    await get('/fhir/Thing/hidden').expect(404);
    await request(app)
      .post('/fhir/')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .send({ resourceType: 'Bundle' })
      .expect(200);

    const counts = await metrics.requests.get();
    const labels = new Set(counts.values.map((v) => String(v.labels.route)));
    expect(labels).toContain('/fhir/Thing/:id');
    expect(labels).toContain('/fhir');
    expect([...labels].filter((l) => l.includes('Thing') && l !== '/fhir/Thing/:id')).toEqual([]);
    const statuses = counts.values
      .filter((v) => v.labels.route === '/fhir/Thing/:id')
      .map((v) => String(v.labels.status));
    expect(statuses).toEqual(expect.arrayContaining(['200', '401', '404']));
  });
});

describe('input limits', () => {
  const nested = (depth: number): unknown =>
    depth === 0 ? 'leaf' : { resourceType: 'Bundle', extension: [nested(depth - 1)] };

  it('refuses JSON nested deeper than the limit with 400 DMP-HTTP-JSON-TOO-DEEP, never a 500', async () => {
    const post = (body: string) =>
      request(app)
        .post('/fhir')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/fhir+json')
        .send(body);
    await post(JSON.stringify(nested(4))).expect(200);
    const deep = await post(JSON.stringify(nested(6))).expect(400);
    expect(deep.body.issue[0].details.coding[0].code).toBe('DMP-HTTP-JSON-TOO-DEEP');
    const hostile = await post('['.repeat(100_000) + ']'.repeat(100_000)).expect(400);
    expect(hostile.body.issue[0].details.coding[0].code).toBe('DMP-HTTP-JSON-TOO-DEEP');
  });

  it('refuses too many search parameters or alternatives with 400; escaped commas do not count', async () => {
    await get('/fhir/Thing?a=1&b=2&c=3&d=4&e=5').expect(200);
    const many = await get('/fhir/Thing?a=1&a=2&a=3&a=4&a=5&a=6').expect(400);
    expect(many.body.issue[0].details.coding[0].code).toBe('DMP-SEARCH-TOO-MANY-PARAMETERS');
    await get('/fhir/Thing?a=1,2,3').expect(200);
    await get('/fhir/Thing?a=1\\,x,2\\,y,3').expect(200);
    const values = await get('/fhir/Thing?a=1,2,3,4').expect(400);
    expect(values.body.issue[0].details.coding[0].code).toBe('DMP-SEARCH-TOO-MANY-VALUES');
    expect(values.body.issue[0].expression).toEqual(['a']);
  });
});
