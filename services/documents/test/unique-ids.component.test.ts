import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTokenVerifier, openDevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { createApp, createScopeAccessDecider } from '../src/app';
import { buildProvideBundle, makeIns } from './builders';

/**
 * A document's uniqueId (masterIdentifier) is unique in the whole repository, also when two
 * instances of the service receive the same one at the same time: the check is a write (a unique
 * claim committed with the submission), not a read-then-insert.
 */
describe('masterIdentifier uniqueness across instances', () => {
  it('two documents services on one database accept the same uniqueId once (one 200, one 409)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dmp-unique-'));
    const issuer = await openDevIssuer(dir);
    const verifier = createTokenVerifier({
      jwks: issuer.jwks,
      issuers: [issuer.issuer],
      audience: 'urn:dmp:services',
    });
    const stores: ResourceStore[] = [];
    const instance = () => {
      const store = openSqliteStore({
        file: path.join(dir, 'documents.sqlite'),
        blobDir: path.join(dir, 'blobs'),
        searchParameters: SEARCH_PARAMETERS,
      });
      stores.push(store);
      return createApp({
        store,
        accessDecider: createScopeAccessDecider(),
        authenticate: (header) => verifier.verify(header),
        logger: silentLogger(),
        metrics: createMetrics('documents-unique'),
        bodyLimit: '1mb',
        softwareVersion: '0',
      });
    };
    const token = await issuer.sign({
      sub: 'lps',
      scope: 'ITI-65',
      extensions: { fr_dmp: { actor_kind: 'system' } },
    });
    try {
      const [a, b] = [instance(), instance()];
      const masterId = `urn:oid:1.2.250.1.999.88.${String(Date.now())}`;
      const post = (app: typeof a, n: number) =>
        request(app)
          .post('/fhir')
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', 'application/fhir+json')
          .send(JSON.stringify(buildProvideBundle({ ins: makeIns(800 + n), masterId })));

      const statuses = (await Promise.all([post(a, 1), post(b, 2), post(a, 3), post(b, 4)])).map(
        (res) => res.status,
      );

      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(3);
    } finally {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
