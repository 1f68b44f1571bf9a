import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { FIXTURES_DIR, readFixture } from '@dmp/test-fixtures';
import { createApp, createScopeAccessDecider, type DocumentsDeps } from '../src/app';
import { makeIns } from './builders';

/**
 * The patients the official examples name by `Patient/<id>`, each with an INS of its own, as the
 * DMP patient registry would map them (the in-process decider's table).
 */
export const FIXTURE_PATIENTS: Readonly<Record<string, string>> = Object.fromEntries(
  ['ex-patient', 'example-asbestos-patient', 'fr-patient-123', 'a2', 'xcda', 'example'].map(
    (id, i) => [id, makeIns(9000 + i)],
  ),
);

/** The official examples, in the repository's `tests/fixtures` (see its README). */
export const FIXTURES = FIXTURES_DIR;
export { readFixture };

export interface Harness {
  app: Express;
  store: ResourceStore;
  issuer: DevIssuer;
  /** A system token (hospital software) with every documents scope. */
  systemToken: string;
  /** Directory of the blob files (to count them). */
  blobDir: string;
  token(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** The real app on SQLite `:memory:` with real tokens; `overrides` adjust the deps. */
export async function openHarness(overrides: Partial<DocumentsDeps> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-documents-'));
  const issuer = await openDevIssuer(dataDir);
  const blobDir = path.join(dataDir, 'blobs');
  const store = openSqliteStore({
    file: ':memory:',
    blobDir,
    searchParameters: SEARCH_PARAMETERS,
  });
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  const app = createApp({
    store,
    accessDecider: createScopeAccessDecider(FIXTURE_PATIENTS),
    authenticate: (header) => verifier.verify(header),
    logger: silentLogger(),
    metrics: createMetrics('documents-test'),
    bodyLimit: '1mb',
    softwareVersion: '0.0.0-test',
    ...overrides,
  });
  const token = (claims: Record<string, unknown>) => issuer.sign(claims, { ttlSeconds: 3600 });
  const systemToken = await token({
    sub: 'lps-hospital',
    client_id: 'lps-hospital',
    scope: 'system/*.cruds',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
  return {
    app,
    store,
    issuer,
    systemToken,
    blobDir,
    token,
    close: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/**
 * Makes the business identifiers of a fixture unique (as test tools do before each run): every
 * `masterIdentifier` and List `identifier` value gets its own fresh suffix. (Per value: the MHD
 * 4.2.3 "Multiple" example gives its two documents the same masterIdentifier, a defect of the
 * example that a recipient must refuse as XDSDuplicateUniqueIdInRegistry.)
 */
export function uniquify<T>(resource: T): T {
  const fresh = () => `${String(Date.now() % 1_000_000)}${String(++counter)}`;
  const walk = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(record)) result[name] = walk(child, name);
    const isBusinessId =
      key === 'masterIdentifier' || (key === 'identifier' && record.use !== 'official');
    if (isBusinessId && typeof record.value === 'string') {
      const text = record.value;
      result.value = text.startsWith('urn:oid:') ? `${text}.${fresh()}` : `${text}-${fresh()}`;
    }
    return result;
  };
  return walk(resource) as T;
}

/**
 * An official MHD example as a DMP client sends it: the examples are international, so their
 * patient has no INS and may live on another server. A DMP document belongs to a patient known by
 * INS: a bundled Patient without an INS gets one, a Patient of another server becomes the
 * registry's `Patient/ex-patient`, entries naming no patient name that one, and a document the
 * example relates to on IHE's server (`relatedTarget`) becomes one stored here.
 */
export function asDmpSubmission<T>(bundle: T, relatedTarget?: string): T {
  let text = JSON.stringify(bundle).replaceAll(
    '"http://example.org/fhir/Patient/fdoc-patient"',
    '"Patient/ex-patient"',
  );
  if (relatedTarget !== undefined) {
    text = text.replaceAll('DocumentReference/ex-DocumentReferenceComprehensive', relatedTarget);
  }
  const copy = JSON.parse(text) as {
    entry?: { resource?: { resourceType?: string; subject?: unknown; identifier?: unknown[] } }[];
  };
  for (const entry of copy.entry ?? []) {
    const resource = entry.resource;
    if (
      resource?.resourceType === 'Patient' &&
      !JSON.stringify(resource).includes('1.2.250.1.213.1.4.8')
    ) {
      resource.identifier = [
        ...(resource.identifier ?? []),
        { system: 'urn:oid:1.2.250.1.213.1.4.8', value: FIXTURE_PATIENTS['ex-patient'] },
      ];
    }
    if (
      (resource?.resourceType === 'DocumentReference' || resource?.resourceType === 'List') &&
      resource.subject === undefined
    ) {
      resource.subject = { reference: 'Patient/ex-patient' };
    }
  }
  return copy as T;
}
