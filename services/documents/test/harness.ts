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
import { createApp, type DocumentsDeps } from '../src/app';

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
