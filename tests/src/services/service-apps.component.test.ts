import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import {
  Checkpointer,
  createApp as createAuditApp,
  generateCheckpointKey,
} from '@dmp/audit-service';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { createApp as createConsentApp } from '@dmp/consent-service';
import { createApp as createDocumentsApp, createScopeAccessDecider } from '@dmp/documents-service';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger, type ServiceRuntimeDeps } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';

/** Where the CapabilityStatements the services claim are published (`fhir-profiles/`). */
const capabilityDir = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'fhir-profiles',
  'capability-statements',
);

/** The served statement without what depends on the run: date, base URL, software version. */
function publishable(statement: Record<string, unknown>): Record<string, unknown> {
  const { date: _date, implementation, software, ...rest } = statement;
  return {
    ...rest,
    software: { ...(software as object), version: '[version]' },
    implementation: { ...(implementation as object), url: '[base]' },
  };
}

type AppFactory = (deps: ServiceRuntimeDeps & { store: ResourceStore }) => Express;

/** The audit app also needs its append-only log and checkpointer (in memory here). */
const createAuditAppWithLog: AppFactory = (deps) => {
  const auditLog = openSqliteAuditLog({ file: ':memory:', searchParameters: SEARCH_PARAMETERS });
  const checkpointer = new Checkpointer({ log: auditLog, key: generateCheckpointKey() });
  return createAuditApp({ ...deps, auditLog, checkpointer });
};

/** The documents app needs its decision point; the in-process scope check is enough here. */
const createDocumentsAppWithDecider: AppFactory = (deps) =>
  createDocumentsApp({ ...deps, accessDecider: createScopeAccessDecider() });

const services: [string, AppFactory][] = [
  ['DmpDocuments', createDocumentsAppWithDecider],
  ['DmpConsent', createConsentApp],
  ['DmpAudit', createAuditAppWithLog],
];

let dataDir: string;
let issuer: DevIssuer;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-services-'));
  issuer = await openDevIssuer(dataDir);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.each(services)('the %s service app', (name, createApp) => {
  let app: Express;
  let store: ResourceStore;

  beforeAll(() => {
    store = openSqliteStore({
      file: ':memory:',
      blobDir: mkdtempSync(path.join(dataDir, 'blobs-')),
      searchParameters: SEARCH_PARAMETERS,
    });
    const verifier = createTokenVerifier({
      jwks: issuer.jwks,
      issuers: [issuer.issuer],
      audience: 'urn:dmp:services',
    });
    app = createApp({
      store,
      authenticate: (header) => verifier.verify(header),
      logger: silentLogger(),
      metrics: createMetrics(name),
      bodyLimit: '1mb',
      softwareVersion: '0.0.0-test',
    });
  });

  afterAll(() => store.close());

  it('publishes its CapabilityStatement at /fhir/metadata without a token', async () => {
    const res = await request(app).get('/fhir/metadata').expect(200);

    expect(res.body).toMatchObject({
      resourceType: 'CapabilityStatement',
      name,
      fhirVersion: '4.0.1',
      kind: 'instance',
    });
  });

  it('serves exactly the CapabilityStatement published in fhir-profiles/', async () => {
    const res = await request(app).get('/fhir/metadata').expect(200);
    const served = publishable(res.body as Record<string, unknown>);
    const file = path.join(capabilityDir, `${name}.json`);
    if (process.env.UPDATE_FHIR_PROFILES === '1') {
      writeFileSync(file, `${JSON.stringify(served, null, 2)}\n`);
    }

    const published = JSON.parse(readFileSync(file, 'utf8')) as unknown;

    // On a deliberate change: UPDATE_FHIR_PROFILES=1 npx jest tests/src/services, then review the diff.
    expect(served).toEqual(published);
  });

  it('requires a token everywhere else (401 with WWW-Authenticate)', async () => {
    const res = await request(app).get('/fhir/Anything').expect(401);

    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('is ready when its database answers', async () => {
    await request(app).get('/readyz').expect(200, { status: 'ready' });
  });

  it('exposes Prometheus metrics to a system token', async () => {
    const token = await issuer.sign({ sub: 'monitoring', fr_dmp: { actor_kind: 'system' } });

    const res = await request(app)
      .get('/metrics')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);

    expect(res.text).toContain(`service="${name}"`);
  });
});
