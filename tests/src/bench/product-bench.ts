/**
 * Product benchmark: the three services as `npm start` runs them (`scripts/start-all.js`, three
 * processes, embedded SQLite in a temp `DATA_DIR`, free ports), every request with a verified
 * dev-issuer token, a consent decision and an audit event shipped. It seeds patients with an open
 * DMP and documents through ITI-65, then drives, at a fixed concurrency for a fixed duration (closed
 * loop, keep-alive connections), ITI-67 patient-scoped searches, ITI-68 reads of a document and
 * ITI-65 bundles; each beside an Express hello-world (`hello-world.ts`, its own process) with the
 * same load shape, measured in the same run. Peak RSS is the kernel's VmHWM of each process.
 * Prints a markdown table; results are printed, never asserted.
 *
 *   npm run bench -- product
 *   BENCH_SECONDS=5 BENCH_PATIENTS=50 BENCH_CONCURRENCY=4 npm run bench -- product
 *
 * BENCH_CONCURRENCY (8), BENCH_SECONDS (10 per phase), BENCH_WARMUP_SECONDS (1),
 * BENCH_PATIENTS (200), BENCH_DOCUMENTS (per patient, 3), BENCH_DOC_KB (100), BENCH_KEEP=1 keeps
 * the data directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Bundle, DocumentReference, Parameters } from 'fhir/r4';
import { mintToken } from '@dmp/auth/dist/cli/token-options';
import { benchBundle, benchIns } from '@dmp/documents-service/dist/src/bench/bench-data';
import { exited, freePort, waitForOutput } from '../e2e/running-product';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0`);
  return value;
}
const CONCURRENCY = Math.round(setting('BENCH_CONCURRENCY', 8));
const SECONDS = setting('BENCH_SECONDS', 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const PATIENTS = Math.round(setting('BENCH_PATIENTS', 200));
const PER_PATIENT = Math.round(setting('BENCH_DOCUMENTS', 3));
const DOC_KB = setting('BENCH_DOC_KB', 100);
const KEEP = process.env.BENCH_KEEP === '1';

type Service = 'documents' | 'consent' | 'audit';
const SERVICES: readonly Service[] = ['documents', 'consent', 'audit'];

// ---------------------------------------------------------------------------------------------
// HTTP with keep-alive connections

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
/** Origins of the product's services, and how many of their answers were 2xx. */
const productOrigins = new Set<string>();
let productAnswered = 0;

interface Answer {
  status: number;
  body: Buffer;
}

function call(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status < 300 && productOrigins.has(new URL(url).origin)) productAnswered += 1;
        resolve({ status, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

const fhirJson = { accept: 'application/fhir+json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function post(url: string, token: string, body: unknown): Promise<Answer> {
  const answer = await call(
    url,
    'POST',
    { ...fhirJson, ...bearer(token), 'content-type': 'application/fhir+json' },
    JSON.stringify(body),
  );
  if (answer.status >= 300) {
    throw new Error(`POST ${url} answered ${answer.status}: ${answer.body.toString()}`);
  }
  return answer;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The pids of the services `start-all.js` spawned, by service, from `ps --ppid`. */
function servicePids(parent: number): Record<Service, number> {
  const pids = execFileSync('ps', ['--ppid', String(parent), '-o', 'pid='])
    .toString()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const found: Partial<Record<Service, number>> = {};
  for (const pid of pids) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const service = SERVICES.find((s) => cmdline.includes(path.join('services', s, 'dist')));
    if (service) found[service] = pid;
  }
  for (const service of SERVICES) {
    if (found[service] === undefined) throw new Error(`no ${service} process under ${parent}`);
  }
  return found as Record<Service, number>;
}

/** VmHWM (peak resident set) and VmRSS of a process, in MiB. */
function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

// ---------------------------------------------------------------------------------------------
// Load

interface Result {
  ok: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  statuses: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** `CONCURRENCY` closed-loop workers calling `once` for `seconds`; successes are 2xx. */
async function drive(seconds: number, once: () => Promise<number>): Promise<Result> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  const end = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const status = await once().catch(() => 0);
      const elapsed = performance.now() - t0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 200 && status < 300) latencies.push(elapsed);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const duration = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    ok: latencies.length,
    errors: total - latencies.length,
    perSecond: latencies.length / duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses: [...statuses.entries()].map(([s, n]) => `${s}×${n}`).join(' '),
  };
}

async function measure(label: string, once: () => Promise<number>): Promise<Result> {
  if (WARMUP > 0) await drive(WARMUP, once);
  const result = await drive(SECONDS, once);
  process.stderr.write(
    `${label.padEnd(34)} ${result.perSecond.toFixed(0).padStart(7)}/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  [${result.statuses}]\n`,
  );
  return result;
}

/** Runs `task` over `items` with `CONCURRENCY` at a time. */
async function pool<T>(items: readonly T[], task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** A PDF of about `DOC_KB` KiB, not trivially compressible. */
function pdfBytes(): Buffer {
  const size = Math.round(DOC_KB * 1024);
  const body = Buffer.alloc(size);
  let seed = 42;
  for (let i = 0; i < size; i += 1) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    body[i] = 0x20 + (seed % 95);
  }
  Buffer.from('%PDF-1.4\n').copy(body, 0);
  Buffer.from('\n%%EOF\n').copy(body, size - 7);
  return body;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-bench-'));
  const ports = { documents: await freePort(), consent: await freePort(), audit: await freePort() };
  const url = (service: Service) => `http://127.0.0.1:${ports[service]}`;
  for (const service of SERVICES) productOrigins.add(url(service));
  const product = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start-all.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DOCUMENTS_PORT: String(ports.documents),
      CONSENT_PORT: String(ports.consent),
      AUDIT_PORT: String(ports.audit),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const hello = spawn(process.execPath, [path.join(__dirname, 'hello-world.js')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_DOC_KB: String(DOC_KB) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stopAll = async () => {
    if (product.exitCode === null) product.kill('SIGINT');
    if (hello.exitCode === null) hello.kill('SIGTERM');
    await Promise.all([exited(product), exited(hello)]);
    if (!KEEP) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForOutput(product, 'Ctrl-C stops everything', 60_000);
    const helloUrl = `http://127.0.0.1:${/listening (\d+)/.exec(await waitForOutput(hello, '\n', 10_000))?.[1] ?? 0}`;
    const pids = servicePids(product.pid ?? 0);

    const token = (...args: string[]) => mintToken(args, dataDir);
    const hospital = await token('--kind', 'system', '--sub', 'chu-bench-dpi', '--ttl', '3600');
    // The default practitioner (idNat 810000000001) attests care-team membership: each access is
    // permitted by a consent decision, not by a shortcut.
    const doctor = await token('--kind', 'practitioner', '--profession', '10', '--ttl', '3600');

    // Seed: open DMPs, then documents through ITI-65 as the hospital.
    const seedStarted = performance.now();
    const patients = Array.from({ length: PATIENTS }, (_, i) => benchIns(10_000 + i));
    await pool(patients, async (ins) => {
      const patient = await token('--kind', 'patient', '--sub', ins, '--scope', 'patient/*.cruds');
      await post(`${url('consent')}/fhir/Patient/$dmp-open`, patient, {
        resourceType: 'Parameters',
        parameter: [{ name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: ins } }],
      });
    });
    const pdf = pdfBytes();
    const uploads = patients.flatMap((ins) => Array.from({ length: PER_PATIENT }, () => ins));
    await pool(uploads, (ins) => post(`${url('documents')}/fhir`, hospital, benchBundle(ins, pdf)));
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    process.stderr.write(
      `seeded ${PATIENTS} patients, ${uploads.length} documents of ${DOC_KB} KiB in ${seedSeconds.toFixed(1)} s\n`,
    );

    const searchUrl = (ins: string) =>
      `${url('documents')}/fhir/DocumentReference?patient.identifier=${encodeURIComponent(`${INS_SYSTEM}|${ins}`)}&status=current`;
    const binaries: string[] = [];
    for (const ins of patients.slice(0, 50)) {
      const answer = await call(searchUrl(ins), 'GET', { ...fhirJson, ...bearer(doctor) });
      const bundle = JSON.parse(answer.body.toString()) as Bundle;
      for (const entry of bundle.entry ?? []) {
        const attachment = (entry.resource as DocumentReference).content[0]?.attachment.url;
        if (attachment) binaries.push(attachment);
      }
    }
    if (binaries.length === 0) throw new Error('ITI-67 found no document to read');

    const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
    const get = async (target: string, headers: Record<string, string>) =>
      (await call(target, 'GET', headers)).status;
    const rows: { label: string; product: Result; floor: Result }[] = [];

    const iti67 = await measure('ITI-67 search (patient, current)', () =>
      get(searchUrl(pick(patients)), { ...fhirJson, ...bearer(doctor) }),
    );
    const floor67 = await measure('express GET small JSON', () =>
      get(`${helloUrl}/hello`, fhirJson),
    );
    rows.push({ label: 'ITI-67 search, one patient', product: iti67, floor: floor67 });

    const iti68 = await measure(`ITI-68 read (${DOC_KB} KiB PDF)`, () =>
      get(pick(binaries), bearer(doctor)),
    );
    const floor68 = await measure(`express GET ${DOC_KB} KiB bytes`, () =>
      get(`${helloUrl}/bytes`, {}),
    );
    rows.push({ label: `ITI-68 read, ${DOC_KB} KiB PDF`, product: iti68, floor: floor68 });

    const postStatus = async (target: string, token: string | undefined, body: unknown) =>
      (
        await call(
          target,
          'POST',
          {
            ...fhirJson,
            ...(token ? bearer(token) : {}),
            'content-type': 'application/fhir+json',
          },
          JSON.stringify(body),
        )
      ).status;
    const iti65 = await measure(`ITI-65 bundle (${DOC_KB} KiB PDF)`, () =>
      postStatus(`${url('documents')}/fhir`, hospital, benchBundle(pick(patients), pdf)),
    );
    const floor65 = await measure('express POST same bundle (parse)', () =>
      postStatus(`${helloUrl}/bundle`, undefined, benchBundle(pick(patients), pdf)),
    );
    rows.push({ label: `ITI-65 bundle, ${DOC_KB} KiB PDF`, product: iti65, floor: floor65 });

    // Audit recorded: wait until the shippers drained (the total stops growing), chain verified.
    const answered = productAnswered;
    const auditor = await token('--kind', 'auditor');
    const drainStarted = performance.now();
    let audit = { ok: false, total: -1 };
    for (let stable = 0; stable < 3 && performance.now() - drainStarted < 60_000;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const answer = await call(`${url('audit')}/fhir/AuditEvent/$verify`, 'GET', {
        ...fhirJson,
        ...bearer(auditor),
      });
      const parameters = (JSON.parse(answer.body.toString()) as Parameters).parameter ?? [];
      const value = (name: string) => parameters.find((p) => p.name === name);
      const next = {
        ok: value('ok')?.valueBoolean === true,
        total: value('total')?.valueInteger ?? -1,
      };
      // $verify is itself audited: one more event per poll once drained.
      stable = next.total - audit.total <= 1 ? stable + 1 : 0;
      audit = next;
    }
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    // Decision reuse: how many decisions the documents service served from its cache.
    const metrics = (await call(`${url('documents')}/metrics`, 'GET', bearer(auditor))).body;
    const lookups = (result: string) =>
      metrics
        .toString()
        .split('\n')
        .filter((line) => line.startsWith('access_decision_cache_total{'))
        .filter((line) => line.includes(`result="${result}"`))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    const memory = {
      documents: memoryOf(pids.documents),
      consent: memoryOf(pids.consent),
      audit: memoryOf(pids.audit),
      hello: memoryOf(hello.pid ?? 0),
    };

    const ms = (value: number) => value.toFixed(1);
    const lines = [
      '',
      `Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
        `concurrency ${CONCURRENCY}, ${SECONDS} s per phase after ${WARMUP} s warm-up; ` +
        `${PATIENTS} patients × ${PER_PATIENT} documents seeded in ${seedSeconds.toFixed(1)} s`,
      '',
      '| Operation | Product req/s | p50 ms | p99 ms | Express floor req/s | p50 ms | p99 ms | Product / floor |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        ({ label, product: p, floor: f }) =>
          `| ${label}${p.errors > 0 ? ` (${p.errors} errors)` : ''} | ${p.perSecond.toFixed(0)} | ${ms(p.p50)} | ${ms(p.p99)} | ${f.perSecond.toFixed(0)} | ${ms(f.p50)} | ${ms(f.p99)} | ${((100 * p.perSecond) / f.perSecond).toFixed(1)} % |`,
      ),
      '',
      `Audit: ${audit.total} events recorded for ${answered} answered product requests, ` +
        `chain ${audit.ok ? 'verified' : 'NOT verified'}, drained ${drainSeconds.toFixed(1)} s after the load; ` +
        `decisions reused from the documents cache: ${lookups('hit')}, asked of consent: ${lookups('miss')}`,
      '',
      '| Process | Peak RSS (VmHWM) | RSS at the end |',
      '| --- | ---: | ---: |',
      ...Object.entries(memory).map(
        ([name, m]) =>
          `| ${name === 'hello' ? 'express hello-world' : name} | ${m.peak.toFixed(0)} MiB | ${m.now.toFixed(0)} MiB |`,
      ),
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await stopAll();
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `product bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
