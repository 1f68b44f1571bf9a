import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createServiceApp } from './create-app';
import { silentLogger } from './logger';
import { createMetrics } from './metrics';
import { loadOpenApiDocument } from './openapi';

const appWith = (openApi?: object, publicBaseUrl?: string) =>
  createServiceApp({
    capability: { name: 'Test', title: 'Test service', description: 'for tests' },
    routes: [],
    authenticate: () => Promise.reject(new Error('no token expected')),
    readiness: () => Promise.resolve(),
    logger: silentLogger(),
    metrics: createMetrics('test'),
    bodyLimit: 1024,
    softwareVersion: '9.9.9',
    ...(openApi ? { openApi } : {}),
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
  });

describe('loadOpenApiDocument', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dmp-openapi-'));
    const write = (file: string, value: object) =>
      writeFileSync(path.join(dir, file), JSON.stringify(value));
    write('components.openapi.json', {
      openapi: '3.1.0',
      components: { responses: { Forbidden: { description: 'no' } }, schemas: { A: {} } },
    });
    write('thing.openapi.json', {
      openapi: '3.1.0',
      paths: {
        '/x': {
          get: {
            responses: { 403: { $ref: 'components.openapi.json#/components/responses/Forbidden' } },
          },
        },
      },
      components: { schemas: { B: {} } },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('merges the shared components and makes every reference local', () => {
    const document = loadOpenApiDocument(dir, 'thing');

    expect(JSON.stringify(document)).not.toContain('components.openapi.json');
    expect(document.components).toEqual({
      responses: { Forbidden: { description: 'no' } },
      schemas: { A: {}, B: {} },
    });
  });

  it('names the missing file when the service has no document', () => {
    expect(() => loadOpenApiDocument(dir, 'missing')).toThrow('missing.openapi.json');
  });
});

describe('GET /openapi.json', () => {
  it('serves the document without a token, with servers set to where it was reached', async () => {
    const res = await request(appWith({ openapi: '3.1.0', paths: {} }))
      .get('/openapi.json')
      .set('Host', 'dmp.example:8081')
      .expect(200);

    expect(res.body).toEqual({
      openapi: '3.1.0',
      paths: {},
      servers: [{ url: 'http://dmp.example:8081' }],
    });
  });

  it('uses the public URL behind a proxy', async () => {
    const res = await request(appWith({ openapi: '3.1.0' }, 'https://dmp.example/docs/fhir'))
      .get('/openapi.json')
      .expect(200);

    expect(res.body).toMatchObject({ servers: [{ url: 'https://dmp.example/docs' }] });
  });

  it('answers 404 DMP-HTTP-ROUTE-NOT-FOUND when the service has no document', async () => {
    const res = await request(appWith()).get('/openapi.json').expect(404);

    expect(JSON.stringify(res.body)).toContain('DMP-HTTP-ROUTE-NOT-FOUND');
  });
});
