/**
 * Decision benchmark: decisions/s and p99, (1) the pure rules, (2) the use case on SQLite
 * (store reads, grant lookup, audit outbox write), (3) over HTTP with real tokens.
 * Run: `npm run bench:consent` (env BENCH_N, BENCH_HTTP_N, BENCH_CONCURRENCY to resize;
 * BENCH_MEMORY=1 uses an in-memory database, i.e. without the per-commit fsync).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenVerifier, openDevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger } from '@dmp/http';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { createApp, parseAccessPolicy } from '../src/app';
import { decide } from '../src/domain/decide';
import { NO_PREFERENCES } from '../src/domain/preferences';
import { evaluateAccess, type AccessQuestion } from '../src/use-cases/evaluate-access';
import { openDmp } from '../src/use-cases/dmp-lifecycle';
import { createConsentServices } from '../src/use-cases/services';

const INS = '279035121518989';
const N = Number(process.env['BENCH_N'] ?? 200_000);
const HTTP_N = Number(process.env['BENCH_HTTP_N'] ?? 5_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);

function report(name: string, latenciesMs: number[], totalMs: number): void {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const rate = Math.round((latenciesMs.length / totalMs) * 1000);
  process.stdout.write(
    `${name.padEnd(34)} ${String(latenciesMs.length).padStart(7)} decisions  ${String(rate).padStart(8)} /s  p50 ${p(0.5).toFixed(3)} ms  p99 ${p(0.99).toFixed(3)} ms\n`,
  );
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dmp-consent-bench-'));
  const policy = parseAccessPolicy(
    JSON.parse(
      readFileSync(
        path.resolve(__dirname, '..', '..', 'config', 'consent-policy.example.json'),
        'utf8',
      ),
    ),
  );
  const subject = {
    kind: 'practitioner' as const,
    id: '810000000001',
    profession: '60',
    organizationId: 'ORG',
    accessMode: 'normal' as const,
    attestation: 'care_team' as const,
    legalRepresentative: false,
  };
  const document = {
    classCode: '42',
    typeCode: '57833-6',
    labels: ['N', 'MASQUE_PS'],
    authors: ['810000000009'],
    authorOrganizations: [],
  };

  // 1. Pure rules.
  const pure: number[] = [];
  const dmp = {
    ins: INS,
    state: 'open' as const,
    preferences: { ...NO_PREFERENCES, blocked: ['810000000002'] },
  };
  let started = now();
  for (let i = 0; i < N; i += 1) {
    const t = now();
    decide({ subject, action: 'read', dmp, document, policy, now: new Date() });
    pure.push(now() - t);
  }
  report('in-process, pure rules', pure, now() - started);

  // 2. Use case on SQLite (file, WAL): reads, decision, audit outbox write.
  const store = openSqliteStore({
    file: process.env['BENCH_MEMORY'] ? ':memory:' : path.join(dir, 'consent.sqlite'),
    blobDir: path.join(dir, 'blobs'),
    searchParameters: SEARCH_PARAMETERS,
  });
  const services = createConsentServices({ store, policy });
  const issuer = await openDevIssuer(dir);
  // The product's own identities: the operator opens the DMP, documents asks the decisions.
  const service = (id: string) => ({
    kind: 'system' as const,
    id,
    roles: [],
    purposeOfUse: [],
    accessMode: 'normal' as const,
    scopes: [],
    issuer: issuer.issuer,
  });
  const system = service('dmp-documents');
  await openDmp(
    services,
    { actor: service('dmp-operator'), requestId: 'bench' },
    { ins: INS, system: 'urn:oid:1.2.250.1.213.1.4.8' },
  );
  const question: AccessQuestion = {
    subject,
    action: 'read',
    key: { ins: INS, system: 'urn:oid:1.2.250.1.213.1.4.8' },
    document,
  };
  for (let i = 0; i < 500; i += 1) {
    await evaluateAccess(services, { actor: system, requestId: 'warm-up' }, [question]);
  }
  const useCase: number[] = [];
  const useCaseN = Math.min(N, 20_000);
  started = now();
  for (let i = 0; i < useCaseN; i += 1) {
    const t = now();
    await evaluateAccess(services, { actor: system, requestId: `b${i}` }, [question]);
    useCase.push(now() - t);
  }
  report('in-process, use case + SQLite', useCase, now() - started);

  // 3. Over HTTP (keep-alive fetch, real ES256 tokens).
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  const app = createApp({
    store,
    policy,
    authenticate: (h) => verifier.verify(h),
    logger: silentLogger(),
    metrics: createMetrics('consent-bench'),
    bodyLimit: '1mb',
    softwareVersion: 'bench',
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/access/v1/evaluation`;
  const token = await issuer.sign(
    { sub: 'dmp-documents', extensions: { fr_dmp: { actor_kind: 'system' } } },
    { ttlSeconds: 3600 },
  );
  const body = JSON.stringify({
    subject: {
      type: 'practitioner',
      id: subject.id,
      properties: { profession: '60', organization_id: 'ORG' },
    },
    action: { name: 'read' },
    resource: {
      type: 'DocumentReference',
      properties: {
        patient: INS,
        class: '42',
        type: '57833-6',
        security_labels: ['N', 'MASQUE_PS'],
        author: '810000000009',
      },
    },
    context: { attestation: 'care_team' },
  });
  const post = async (): Promise<number> => {
    const t = now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return now() - t;
  };
  const run = async (count: number, latencies: number[]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          next += 1;
          latencies.push(await post());
        }
      }),
    );
  };
  await run(Math.min(1000, HTTP_N), []); // warm-up: JIT, connections
  const overHttp: number[] = [];
  started = now();
  await run(HTTP_N, overHttp);
  report(`over HTTP (concurrency ${CONCURRENCY})`, overHttp, now() - started);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
