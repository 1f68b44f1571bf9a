/**
 * Audit benchmark (`npm run bench:audit`): (1) sustained ingest over HTTP, single events and
 * batches of 100, on a file database with synchronous=FULL (every group commit fsynced);
 * (2) ITI-81 p50/p99 over HTTP for one patient over 30 days on a log of BENCH_EVENTS events
 * (default 1,000,000, spread over a year and BENCH_PATIENTS patients); (3) verification events/s.
 * Env: BENCH_EVENTS, BENCH_PATIENTS, BENCH_SINGLE (events), BENCH_BATCHES, BENCH_QUERIES,
 * BENCH_CONCURRENCY (ingest clients, default 16), BENCH_QUERY_CONCURRENCY (default 1), BENCH_DIR (keep the databases there), BENCH_SYNC=NORMAL (ingest without
 * the per-commit fsync, for comparison).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger, startHttpServer } from '@dmp/http';
import type { AuditLog } from '@dmp/storage';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';
import { Checkpointer, createApp, generateCheckpointKey } from '../src/app';
import { benchEvent, benchIns, INS_SYSTEM } from './bench-events';

const env = process.env;
const EVENTS = Number(env['BENCH_EVENTS'] ?? 1_000_000);
const PATIENTS = Number(env['BENCH_PATIENTS'] ?? 20_000);
const SINGLE = Number(env['BENCH_SINGLE'] ?? 3_000);
const BATCHES = Number(env['BENCH_BATCHES'] ?? 200);
const QUERIES = Number(env['BENCH_QUERIES'] ?? 500);
const CONCURRENCY = Number(env['BENCH_CONCURRENCY'] ?? 16);
const QUERY_CONCURRENCY = Number(env['BENCH_QUERY_CONCURRENCY'] ?? 1);
const DAY = 86_400_000;
const END = Date.UTC(2025, 11, 31);

const clock = () => Number(process.hrtime.bigint()) / 1e6;
const out = (line: string) => process.stdout.write(`${line}\n`);

function percentiles(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${p(0.5).toFixed(2)} ms  p99 ${p(0.99).toFixed(2)} ms`;
}

async function serve(dir: string, log: AuditLog, issuer: DevIssuer) {
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  const app = createApp({
    store: openSqliteStore({
      file: ':memory:',
      blobDir: path.join(dir, 'blobs'),
      searchParameters: SEARCH_PARAMETERS,
    }),
    auditLog: log,
    checkpointer: new Checkpointer({ log, key: generateCheckpointKey() }),
    authenticate: (header) => verifier.verify(header),
    logger: silentLogger(),
    metrics: createMetrics('audit-bench'),
    bodyLimit: '20mb',
    softwareVersion: 'bench',
  });
  return startHttpServer(app, 0, '127.0.0.1');
}

/** Runs `total` requests with `CONCURRENCY` in flight; returns latencies and wall time. */
async function drive(total: number, send: (i: number) => Promise<void>, concurrency = CONCURRENCY) {
  const latencies: number[] = [];
  let next = 0;
  const started = clock();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = clock();
        await send(i);
        latencies.push(clock() - t);
      }
    }),
  );
  return { latencies, ms: clock() - started };
}

async function post(url: string, token: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/fhir+json',
      Prefer: 'return=minimal',
    },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

async function ingest(dir: string, issuer: DevIssuer): Promise<void> {
  const log = openSqliteAuditLog({
    file: path.join(dir, 'ingest.sqlite'),
    searchParameters: SEARCH_PARAMETERS,
    synchronous: env['BENCH_SYNC'] === 'NORMAL' ? 'NORMAL' : 'FULL',
  });
  const server = await serve(dir, log, issuer);
  // Only the product's services feed the log: the bench posts as the documents service does.
  const token = await issuer.sign({
    sub: 'dmp-documents',
    scope: 'system/AuditEvent.c',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
  const event = (i: number) => benchEvent(i % PATIENTS, i % 997, new Date(END - (i % 365) * DAY));
  await post(`${server.url}/fhir/AuditEvent`, token, event(0)); // warm-up (schema compile)
  const single = await drive(SINGLE, (i) => post(`${server.url}/fhir/AuditEvent`, token, event(i)));
  out(
    `ingest single events  ${SINGLE} events  ${Math.round((SINGLE / single.ms) * 1000)} events/s  ${percentiles(single.latencies)} per request`,
  );
  const batch = await drive(BATCHES, (b) =>
    post(`${server.url}/fhir`, token, {
      resourceType: 'Bundle',
      type: 'batch',
      entry: Array.from({ length: 100 }, (_, k) => ({
        resource: event(b * 100 + k),
        request: { method: 'POST', url: 'AuditEvent' },
      })),
    }),
  );
  out(
    `ingest batches of 100 ${BATCHES * 100} events  ${Math.round(((BATCHES * 100) / batch.ms) * 1000)} events/s  ${percentiles(batch.latencies)} per batch`,
  );
  await server.close();
  await log.close();
}

async function build(file: string): Promise<AuditLog> {
  const log = openSqliteAuditLog({
    file,
    searchParameters: SEARCH_PARAMETERS,
    synchronous: 'NORMAL',
  });
  const have = (await log.head()).seq;
  const started = clock();
  const chunk = 2000;
  for (let from = have; from < EVENTS; from += chunk) {
    const events = [];
    for (let i = from; i < Math.min(EVENTS, from + chunk); i += 1) {
      // Time goes forward with the sequence, over the year before END.
      events.push(
        benchEvent(
          (i * 7919) % PATIENTS,
          i % 4999,
          new Date(END - 365 * DAY + Math.floor((i / EVENTS) * 365 * DAY)),
        ),
      );
    }
    await log.append(events);
    if ((from / chunk) % 50 === 0)
      process.stderr.write(`\rbuilding the log: ${from + events.length}/${EVENTS}`);
  }
  process.stderr.write('\n');
  if (EVENTS > have)
    out(
      `log built: ${EVENTS - have} events appended in ${((clock() - started) / 1000).toFixed(0)} s (direct appends of 2000, synchronous=NORMAL)`,
    );
  return log;
}

async function query(dir: string, issuer: DevIssuer, log: AuditLog): Promise<void> {
  const server = await serve(dir, log, issuer);
  const token = await issuer.sign({
    sub: 'auditor',
    scope: 'system/AuditEvent.rs',
    extensions: { fr_dmp: { actor_kind: 'auditor' } },
  });
  const from = new Date(END - 30 * DAY).toISOString().slice(0, 10);
  let found = 0;
  const result = await drive(
    QUERIES,
    async (i) => {
      const ins = benchIns((i * 104_729) % PATIENTS);
      const url = `${server.url}/fhir/AuditEvent?patient.identifier=${INS_SYSTEM}|${ins}&date=ge${from}&date=le2025-12-31`;
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { entry?: unknown[] };
      if (res.status !== 200) throw new Error(`search: ${res.status}`);
      found += body.entry?.length ?? 0;
    },
    QUERY_CONCURRENCY,
  );
  out(
    `ITI-81 patient+30 days ${QUERIES} queries on ${EVENTS} events (${(found / QUERIES).toFixed(1)} hits/query)  ${percentiles(result.latencies)}  (HTTP, concurrency ${QUERY_CONCURRENCY}, each read recorded)`,
  );
  await server.close();
}

async function main(): Promise<void> {
  const dir = env['BENCH_DIR'] ?? mkdtempSync(path.join(tmpdir(), 'dmp-audit-bench-'));
  const issuer = await openDevIssuer(dir);
  try {
    await ingest(dir, issuer);
    const log = await build(path.join(dir, `log-${EVENTS}.sqlite`));
    await query(dir, issuer, log);
    const started = clock();
    const report = await log.verify();
    const ms = clock() - started;
    out(
      `verification           ${report.verified} events  ${Math.round((report.verified / ms) * 1000)} events/s  (ok: ${report.ok})`,
    );
    await log.close();
  } finally {
    if (!env['BENCH_DIR']) rmSync(dir, { recursive: true, force: true });
  }
}

void main();
