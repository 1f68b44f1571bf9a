import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import {
  Checkpointer,
  createApp as createAuditApp,
  generateCheckpointKey,
} from '@dmp/audit-service';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { createAccessClient, createPatientRegistryClient } from '@dmp/consent-client';
import {
  createApp as createConsentApp,
  parseAccessPolicy,
  type AccessPolicy,
} from '@dmp/consent-service';
import {
  createApp as createDocumentsApp,
  createConsentAccessDecider,
  openConsentDecisionPoint,
  type ConsentDecisionPoint,
} from '@dmp/documents-service';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger, type ServiceMetrics } from '@dmp/http';
import type { AuditLog, ResourceStore } from '@dmp/storage';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';
import examplePolicy from '../../../services/consent/config/consent-policy.example.json';

export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';

/** The shipped example policy, as the consent service reads it. */
export function loadExamplePolicy(): AccessPolicy {
  return parseAccessPolicy(examplePolicy);
}

export async function listen(app: Express, port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nobody listens on (yet). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Opens the DMP of `ins` as the DMP operator's software (`Patient/$dmp-open` on consent) and
 * answers the `Patient/<id>` the registry keeps for it.
 */
export async function openDmp(w: Wired, ins: string): Promise<string> {
  const operator = await w.issuer.sign({
    sub: 'dmp-operator',
    scope: 'system/Patient.c',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
  const opened = await request(w.consent)
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${operator}`)
    .send({
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: ins } }],
    })
    .expect(201);
  return `Patient/${String((opened.body as { id: string }).id)}`;
}

/** The consent service's decisions and patient registry, over HTTP. */
export function deciderAt(baseUrl: string, token: () => Promise<string>) {
  const client = { baseUrl, token, timeoutMs: 2000 };
  return createConsentAccessDecider({
    access: createAccessClient(client),
    patients: createPatientRegistryClient(client),
  });
}

function deps(name: string, issuer: DevIssuer) {
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  return {
    authenticate: (header: string | undefined) => verifier.verify(header),
    logger: silentLogger(),
    metrics: createMetrics(name),
    bodyLimit: '5mb',
    softwareVersion: '0.0.0-test',
  };
}

/** One documents instance: its app, its decision point (cache and feed follower), its metrics. */
export interface DocumentsInstance {
  app: Express;
  point: ConsentDecisionPoint;
  metrics: ServiceMetrics;
}

export interface Wired {
  dir: string;
  issuer: DevIssuer;
  consentStore: ResourceStore;
  documentsStore: ResourceStore;
  auditLog: AuditLog;
  consent: Express;
  consentUrl: string;
  /** The consent app's metrics (`access_evaluations_total`…). */
  consentMetrics: ServiceMetrics;
  documents: Express;
  /** The first documents instance (`documents` is its app). */
  documentsInstance: DocumentsInstance;
  audit: Express;
  serviceToken: () => Promise<string>;
  /**
   * Another documents instance on the same database, deciding through the consent service at
   * `consentUrl` (default: the wired one), as a second instance behind a load balancer; closed
   * with the world.
   */
  openDocuments(consentUrl?: string): DocumentsInstance;
  close(): Promise<void>;
}

export interface WiredOptions {
  /** Permits each documents instance keeps (`DOCUMENTS_DECISION_CACHE_ENTRIES`; default 10,000). */
  decisionCacheEntries?: number;
  /** The change feed's bound L (`CONSENT_FEED_LEASE_MS`; default 2,000 ms). */
  feedLeaseMs?: number;
  /** The consent service's clock (grant expiry). */
  consentNow?: () => Date;
  /** What a policy reload reads (default: the example policy). */
  loadPolicy?: () => AccessPolicy;
}

/**
 * The three real apps on file-backed SQLite in one temp directory; documents decides through
 * the consent service at `consentUrl` (over HTTP), keeping reusable permits as the product does
 * (its decision cache follows consent's change feed).
 */
export async function openWired(options: WiredOptions = {}): Promise<Wired> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dmp-wired-'));
  const issuer = await openDevIssuer(dir);
  // Durability across power loss is not what these tests look at (the crash-loss e2e test runs
  // the product as configured): commits are not fsynced one by one here.
  const store = (name: string) =>
    openSqliteStore({
      file: path.join(dir, `${name}.sqlite`),
      blobDir: path.join(dir, `${name}-blobs`),
      searchParameters: SEARCH_PARAMETERS,
      synchronous: 'NORMAL',
    });
  const consentStore = store('consent');
  const documentsStore = store('documents');
  const auditLog = openSqliteAuditLog({
    file: path.join(dir, 'audit.sqlite'),
    searchParameters: SEARCH_PARAMETERS,
    synchronous: 'NORMAL',
  });
  const serviceToken = () =>
    issuer.sign({
      sub: 'dmp-documents',
      scope: 'system/*.cruds',
      extensions: { fr_dmp: { actor_kind: 'system' } },
    });
  const consentDeps = deps('consent', issuer);
  const consent = createConsentApp({
    ...consentDeps,
    store: consentStore,
    policy: loadExamplePolicy(),
    ...(options.loadPolicy ? { loadPolicy: options.loadPolicy } : {}),
    ...(options.feedLeaseMs ? { feedLeaseMs: options.feedLeaseMs } : {}),
    ...(options.consentNow ? { now: options.consentNow } : {}),
  });
  const consentServer = await listen(consent);
  const instances: DocumentsInstance[] = [];
  const openDocuments = (consentUrl = consentServer.url): DocumentsInstance => {
    const documentsDeps = deps('documents', issuer);
    const point = openConsentDecisionPoint({
      baseUrl: consentUrl,
      token: serviceToken,
      timeoutMs: 2000,
      cacheEntries: options.decisionCacheEntries ?? 10_000,
      cacheMaxAgeMs: 300_000,
      metrics: documentsDeps.metrics,
    });
    const app = createDocumentsApp({
      ...documentsDeps,
      store: documentsStore,
      accessDecider: point.decider,
    });
    const instance = { app, point, metrics: documentsDeps.metrics };
    instances.push(instance);
    return instance;
  };
  const documentsInstance = openDocuments();
  await documentsInstance.point.follower?.followed();
  const audit = createAuditApp({
    ...deps('audit', issuer),
    store: store('audit-resources'),
    auditLog,
    checkpointer: new Checkpointer({ log: auditLog, key: generateCheckpointKey() }),
  });
  return {
    dir,
    issuer,
    consentStore,
    documentsStore,
    auditLog,
    consent,
    consentUrl: consentServer.url,
    consentMetrics: consentDeps.metrics,
    documents: documentsInstance.app,
    documentsInstance,
    audit,
    serviceToken,
    openDocuments,
    close: async () => {
      for (const instance of instances) await instance.point.stop();
      await close(consentServer.server);
      await consentStore.close();
      await documentsStore.close();
      await auditLog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
