import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { fhirError } from '@dmp/errors';
import type { Actor } from '@dmp/auth';
import { createServiceApp } from './create-app';
import { createMetrics, type ServiceMetrics } from './metrics';
import type { RouteDefinition } from './route';

const routes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/poll',
    root: true,
    quietLog: true,
    handler: (req) => {
      if (req.searchParams.has('bad'))
        throw fhirError('DMP-SEARCH-INVALID-VALUE', 'bad poll', 'bad');
      return Promise.resolve({ status: 200, json: { changes: [] } });
    },
  },
  {
    method: 'GET',
    path: '/Thing',
    handler: () => Promise.resolve({ status: 200, json: { resourceType: 'Bundle' } }),
  },
];

let lines: { level: number; route: string; status: number; msg: string }[];
let metrics: ServiceMetrics;
let app: Express;

beforeAll(() => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  metrics = createMetrics('test');
  const system: Actor = {
    kind: 'system',
    id: 'poller',
    roles: [],
    purposeOfUse: [],
    accessMode: 'normal',
    scopes: [],
    issuer: 'test',
  };
  app = createServiceApp({
    capability: { name: 'T', title: 'T', description: 'test' },
    routes,
    authenticate: () => Promise.resolve(system),
    readiness: () => Promise.resolve(),
    logger: pino({ level: 'debug' }, sink),
    metrics,
    bodyLimit: '1mb',
    softwareVersion: '0',
    traceRefusal: () => Promise.resolve(),
  });
});
beforeEach(() => {
  lines = [];
});

const requestLines = () => lines.filter((line) => line.msg === 'request');
const DEBUG = 20;
const INFO = 30;

describe('request log lines', () => {
  it('logs a quiet route’s answers at debug, its refusals at info; other routes at info', async () => {
    await request(app).get('/poll').set('Authorization', 'Bearer x').expect(200);
    await request(app).get('/poll?bad=1').set('Authorization', 'Bearer x').expect(400);
    await request(app).get('/fhir/Thing').set('Authorization', 'Bearer x').expect(200);

    expect(requestLines().map(({ route, status, level }) => [route, status, level])).toEqual([
      ['/poll', 200, DEBUG],
      ['/poll', 400, INFO],
      ['/fhir/Thing', 200, INFO],
    ]);
  });

  it('labels the health, readiness, OpenAPI and metrics endpoints by their path, not unmatched', async () => {
    await request(app).get('/healthz').expect(200);
    await request(app).get('/readyz').expect(200);
    await request(app).get('/openapi.json').expect(404);
    await request(app).get('/metrics').set('Authorization', 'Bearer x').expect(200);

    expect(requestLines().map((line) => line.route)).toEqual([
      '/healthz',
      '/readyz',
      '/openapi.json',
      '/metrics',
    ]);
    const labels = (await metrics.requests.get()).values.map((v) => String(v.labels.route));
    expect(labels).not.toContain('unmatched');
  });
});

describe('a path the URL parser refuses', () => {
  it('is answered with an OperationOutcome, never a 500', async () => {
    const res = await request(app).get('//[x').set('Authorization', 'Bearer x');

    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});
