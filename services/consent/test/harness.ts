import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { createApp, parseAccessPolicy, type AccessPolicy } from '../src/app';

export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';

export interface Harness {
  app: Express;
  store: ResourceStore;
  issuer: DevIssuer;
  close(): Promise<void>;
}

/** The shipped example policy, as the service reads it. */
export function loadExamplePolicy(): AccessPolicy {
  const file = path.resolve(__dirname, '..', 'config', 'consent-policy.example.json');
  return parseAccessPolicy(JSON.parse(readFileSync(file, 'utf8')));
}

/** The consent app on a fresh in-memory SQLite store, with the shipped example policy. */
export async function openHarness(
  name: string,
  options: {
    policy?: AccessPolicy;
    now?: () => Date;
    loadPolicy?: () => AccessPolicy;
    feedLeaseMs?: number;
  } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `dmp-consent-${name}-`));
  const issuer = await openDevIssuer(dataDir);
  const store = openSqliteStore({
    file: ':memory:',
    blobDir: path.join(dataDir, 'blobs'),
    searchParameters: SEARCH_PARAMETERS,
  });
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  const app = createApp({
    store,
    authenticate: (header) => verifier.verify(header),
    logger: silentLogger(),
    metrics: createMetrics(`consent-${name}`),
    bodyLimit: '1mb',
    softwareVersion: '0.0.0-test',
    policy: options.policy ?? loadExamplePolicy(),
    ...(options.now ? { now: options.now } : {}),
    ...(options.loadPolicy ? { loadPolicy: options.loadPolicy } : {}),
    ...(options.feedLeaseMs ? { feedLeaseMs: options.feedLeaseMs } : {}),
  });
  return {
    app,
    store,
    issuer,
    close: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function patientToken(issuer: DevIssuer, ins: string): Promise<string> {
  return issuer.sign({
    sub: ins,
    scope: 'patient/Patient.crus patient/Consent.rus patient/Communication.rs',
    extensions: {
      ihe_iua: { person_id: { system: INS_SYSTEM, value: ins } },
      fr_dmp: { actor_kind: 'patient' },
    },
  });
}

export interface ProOptions {
  profession?: string;
  mode?: 'normal' | 'bris_de_glace' | 'centre_15';
  reason?: string;
  attestation?: 'care_team' | 'consent' | 'regulation';
}

export function professionalToken(
  issuer: DevIssuer,
  id: string,
  options: ProOptions = {},
): Promise<string> {
  return issuer.sign({
    sub: id,
    scope: 'user/Patient.crus user/Consent.rus user/Communication.rs',
    extensions: {
      ihe_iua: {
        subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: options.profession ?? '10' }],
        subject_organization_id: 'ORG-A',
      },
      fr_dmp: {
        actor_kind: 'practitioner',
        access_mode: options.mode ?? 'normal',
        ...(options.reason ? { access_reason: options.reason } : {}),
        ...(options.attestation ? { attestation: options.attestation } : {}),
      },
    },
  });
}

/** The documents service's own identity: the one client the decision API trusts. */
export function systemToken(issuer: DevIssuer): Promise<string> {
  return issuer.sign({
    sub: 'dmp-documents',
    client_id: 'dmp-documents',
    scope: 'system/*.cruds',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
}

/** A hospital's software (structure certificate): every scope, no trust beyond a hospital's. */
export function hospitalToken(issuer: DevIssuer, client = 'lps-hospital'): Promise<string> {
  return issuer.sign({
    sub: client,
    client_id: client,
    scope: 'system/*.cruds',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
}

export function auditorToken(issuer: DevIssuer): Promise<string> {
  return issuer.sign({
    sub: 'auditor-1',
    scope: 'system/*.rs',
    extensions: { fr_dmp: { actor_kind: 'auditor' } },
  });
}

export function patientParameters(ins: string, ...extra: object[]) {
  return {
    resourceType: 'Parameters',
    parameter: [{ name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: ins } }, ...extra],
  };
}

export function change(type: string, professional?: string, more: object[] = []) {
  return {
    name: 'change',
    part: [
      { name: 'type', valueCode: type },
      ...(professional ? [{ name: 'professional', valueString: professional }] : []),
      ...more,
    ],
  };
}

/** A valid INS (control key computed) numbered `n`, for tests that need many patients. */
export function insNumber(n: number): string {
  const body = `2${String(n).padStart(12, '0')}`;
  const key = 97n - (BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

/** Opens the DMP of `ins` as its holder; the holder's token. */
export async function openDmpOf(h: Harness, ins: string): Promise<string> {
  const patient = await patientToken(h.issuer, ins);
  await request(h.app)
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${patient}`)
    .send(patientParameters(ins))
    .expect(201);
  return patient;
}
