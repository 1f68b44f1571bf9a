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
import { createApp as createConsentApp, parseAccessPolicy } from '@dmp/consent-service';
import {
  createApp as createDocumentsApp,
  createConsentAccessDecider,
} from '@dmp/documents-service';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger } from '@dmp/http';
import type { AuditLog, ResourceStore } from '@dmp/storage';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';
import examplePolicy from '../../../services/consent/config/consent-policy.example.json';

export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';

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

export interface Wired {
  dir: string;
  issuer: DevIssuer;
  consentStore: ResourceStore;
  documentsStore: ResourceStore;
  auditLog: AuditLog;
  consent: Express;
  consentUrl: string;
  documents: Express;
  audit: Express;
  serviceToken: () => Promise<string>;
  close(): Promise<void>;
}

/**
 * The three real apps on file-backed SQLite in one temp directory; documents decides through
 * the consent service at `consentUrl` (over HTTP).
 */
export async function openWired(): Promise<Wired> {
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
  const consent = createConsentApp({
    ...deps('consent', issuer),
    store: consentStore,
    policy: parseAccessPolicy(examplePolicy),
  });
  const consentServer = await listen(consent);
  const documents = createDocumentsApp({
    ...deps('documents', issuer),
    store: documentsStore,
    accessDecider: deciderAt(consentServer.url, serviceToken),
  });
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
    documents,
    audit,
    serviceToken,
    close: async () => {
      await close(consentServer.server);
      await consentStore.close();
      await documentsStore.close();
      await auditLog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
