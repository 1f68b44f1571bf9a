import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import { createServiceApp } from './create-app';
import { endpointsOf } from './endpoints';
import { silentLogger } from './logger';
import { createMetrics } from './metrics';
import type { RouteDefinition } from './route';

const evaluation: RouteDefinition = {
  method: 'POST',
  path: '/access/v1/evaluation',
  root: true,
  body: 'resource',
  handler: (req) => {
    const body = req.body as { fail?: boolean };
    if (body.fail) throw fhirError('DMP-RESOURCE-INVALID', 'asked to fail', 'fail');
    return Promise.resolve({ status: 200, json: { decision: true, actor: req.actor?.id } });
  },
};
const read: RouteDefinition = {
  method: 'GET',
  path: '/Patient/:id',
  capability: { resourceType: 'Patient', interaction: 'read' },
  handler: (req) =>
    Promise.resolve({ status: 200, resource: { resourceType: 'Patient', id: req.params.id } }),
};

let dataDir: string;
let issuer: DevIssuer;
let app: Express;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-http-root-'));
  issuer = await openDevIssuer(dataDir);
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  app = createServiceApp({
    capability: { name: 'Test', title: 'Test service', description: 'for tests' },
    routes: [evaluation, read],
    authenticate: (header) => verifier.verify(header),
    readiness: () => Promise.resolve(),
    logger: silentLogger(),
    metrics: createMetrics('test-root'),
    bodyLimit: 1024,
    softwareVersion: '9.9.9',
  });
  token = await issuer.sign({ sub: 'client-1', fr_dmp: { actor_kind: 'system' } });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('routes mounted at the server root', () => {
  it('serve plain JSON to an authenticated caller', async () => {
    const res = await request(app)
      .post('/access/v1/evaluation')
      .set('Authorization', `Bearer ${token}`)
      .send({})
      .expect(200);

    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ decision: true, actor: 'client-1' });
  });

  it('require a token and answer errors as OperationOutcomes', async () => {
    await request(app).post('/access/v1/evaluation').send({}).expect(401);

    const res = await request(app)
      .post('/access/v1/evaluation')
      .set('Authorization', `Bearer ${token}`)
      .send({ fail: true })
      .expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-RESOURCE-INVALID');
  });

  it('answer 405 to another method and are not served under /fhir', async () => {
    await request(app)
      .get('/access/v1/evaluation')
      .set('Authorization', `Bearer ${token}`)
      .expect(405);
    await request(app)
      .post('/fhir/access/v1/evaluation')
      .set('Authorization', `Bearer ${token}`)
      .send({})
      .expect(404);
  });

  it('stay out of the CapabilityStatement but are listed as endpoints', async () => {
    const res = await request(app).get('/fhir/metadata').expect(200);

    expect(JSON.stringify(res.body)).not.toContain('evaluation');
    expect(endpointsOf([evaluation, read])).toEqual([
      'GET /fhir/Patient/{id}',
      'GET /fhir/metadata',
      'GET /healthz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /readyz',
      'POST /access/v1/evaluation',
    ]);
  });
});
