/**
 * The product under benchmark: the three services as `npm start` runs them (three processes
 * with its wiring, embedded SQLite in a temp `DATA_DIR`, free ports),
 * the Express floor beside it (`hello-world.ts`, its own process), the seeding through the
 * product's own API, and what the bench reads of each process (`/proc`: peak RSS, CPU time).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Bundle, DocumentReference, Parameters } from 'fhir/r4';
import { mintToken } from '@dmp/auth/dist/cli/token-options';
import { benchBundle, benchIns } from '@dmp/documents-service/dist/src/bench/bench-data';
import { exited, prepareEnvironment, startService, waitForOutput } from '../e2e/running-product';
import { agent, bearer, call, countAnswersFrom, fhirJson, pool, post } from './load';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';

export type Service = 'documents' | 'consent' | 'audit';
export const SERVICES: readonly Service[] = ['documents', 'consent', 'audit'];

/** A positive number from the environment. */
export function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0`);
  return value;
}

/** The load both product benches drive (`product-bench.ts`, `profile-bench.ts`), from the environment. */
export function benchLoad() {
  return {
    seconds: setting('BENCH_SECONDS', 10),
    warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 1),
    patients: Math.round(setting('BENCH_PATIENTS', 200)),
    perPatient: Math.round(setting('BENCH_DOCUMENTS', 3)),
    docKb: setting('BENCH_DOC_KB', 100),
  };
}

export interface BenchProduct {
  dataDir: string;
  url(service: Service): string;
  helloUrl: string;
  pids: Record<Service | 'hello', number>;
  token(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the three services, each as its own process with the wiring `npm start` gives it
 * (`nodeArgs` added to each: `--cpu-prof` for the profile), and the Express floor.
 */
export async function startBenchProduct(options: {
  nodeArgs?: readonly string[];
  keep?: boolean;
  docKb: number;
}): Promise<BenchProduct> {
  const environment = await prepareEnvironment();
  for (const service of SERVICES) countAnswersFrom(environment.urls[service]);
  const children: ChildProcess[] = [];
  const hello = spawn(process.execPath, [path.join(__dirname, 'hello-world.js')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_DOC_KB: String(options.docKb) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    for (const child of [...children, hello]) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    agent.destroy();
    await Promise.all([...children, hello].map(exited));
    if (!options.keep) environment.remove();
  };
  try {
    // Consent and audit first: documents asks consent from its first request on.
    for (const service of ['audit', 'consent', 'documents'] as const) {
      children.push(await startService(environment, service, options.nodeArgs));
    }
    const port = /listening (\d+)/.exec(await waitForOutput(hello, '\n', 10_000))?.[1] ?? 0;
    const [audit, consent, documents] = children.map((child) => child.pid ?? 0);
    return {
      dataDir: environment.dataDir,
      url: (service) => environment.urls[service],
      helloUrl: `http://127.0.0.1:${port}`,
      pids: {
        documents: documents ?? 0,
        consent: consent ?? 0,
        audit: audit ?? 0,
        hello: hello.pid ?? 0,
      },
      token: (...args) => mintToken(args, environment.dataDir),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Seeded {
  patients: string[];
  binaries: string[];
  hospital: string;
  doctor: string;
  seconds: number;
  documents: number;
  searchUrl(ins: string): string;
}

/** A PDF of about `kb` KiB, not trivially compressible. */
export function pdfBytes(kb: number): Buffer {
  const size = Math.round(kb * 1024);
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

/**
 * Opens `patients` DMPs and posts `perPatient` documents each through ITI-65 as a hospital, then
 * finds the Binary URLs through ITI-67. The practitioner (idNat 810000000001) attests care-team
 * membership: each access is permitted by a consent decision, not by a shortcut.
 */
export async function seedProduct(
  product: BenchProduct,
  options: { patients: number; perPatient: number; pdf: Buffer; concurrency: number },
): Promise<Seeded> {
  const hospital = await product.token(
    '--kind',
    'system',
    '--sub',
    'chu-bench-dpi',
    '--ttl',
    '3600',
  );
  const doctor = await product.token(
    '--kind',
    'practitioner',
    '--profession',
    '10',
    '--ttl',
    '3600',
  );
  const started = performance.now();
  const patients = Array.from({ length: options.patients }, (_, i) => benchIns(10_000 + i));
  await pool(options.concurrency, patients, async (ins) => {
    const patient = await product.token(
      '--kind',
      'patient',
      '--sub',
      ins,
      '--scope',
      'patient/*.cruds',
    );
    await post(`${product.url('consent')}/fhir/Patient/$dmp-open`, patient, {
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: ins } }],
    });
  });
  const uploads = patients.flatMap((ins) => Array.from({ length: options.perPatient }, () => ins));
  await pool(options.concurrency, uploads, (ins) =>
    post(`${product.url('documents')}/fhir`, hospital, benchBundle(ins, options.pdf)),
  );
  const seconds = (performance.now() - started) / 1000;
  const searchUrl = (ins: string) =>
    `${product.url('documents')}/fhir/DocumentReference?patient.identifier=${encodeURIComponent(`${INS_SYSTEM}|${ins}`)}&status=current`;
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
  return { patients, binaries, hospital, doctor, seconds, documents: uploads.length, searchUrl };
}

/** VmHWM (peak resident set) and VmRSS of a process, in MiB. */
export function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

/** `getconf CLK_TCK` (100 on Linux). */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time (user + system, every thread) a process used so far, in ms (`/proc/<pid>/stat`). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are fields 14, 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Polls of the audit total while the shippers drain: often, and each one cheap (a count). */
const DRAIN_POLL_MS = 100;
/** Polls in a row that found nothing new (beyond the poll's own audit event) before it counts as drained. */
const DRAIN_STABLE_POLLS = 5;

/**
 * Waits until the shippers drained, then says whether the hash chain verifies. The audit total
 * is counted (`_summary=count`, itself audited: one more event per poll) every 100 ms; drained
 * is the first poll after which it stopped growing, confirmed by the next five. The chain is
 * verified once, at the end (a `$verify` per poll took 0.2 to 0.6 s each and was most of what
 * the figure measured).
 */
export async function waitForAuditDrain(
  product: BenchProduct,
): Promise<{ ok: boolean; total: number; seconds: number }> {
  const auditor = await product.token('--kind', 'auditor');
  const asAuditor = { ...fhirJson, ...bearer(auditor) };
  const started = performance.now();
  let total = -1;
  let drainedAt = started;
  for (let stable = 0; stable < DRAIN_STABLE_POLLS && performance.now() - started < 60_000;) {
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    const answer = await call(
      `${product.url('audit')}/fhir/AuditEvent?_summary=count`,
      'GET',
      asAuditor,
    );
    const next = (JSON.parse(answer.body.toString()) as Bundle).total ?? -1;
    if (next - total > 1) {
      stable = 0;
      drainedAt = performance.now();
    } else {
      stable += 1;
    }
    total = next;
  }
  const answer = await call(`${product.url('audit')}/fhir/AuditEvent/$verify`, 'GET', asAuditor);
  const parameters = (JSON.parse(answer.body.toString()) as Parameters).parameter ?? [];
  const value = (name: string) => parameters.find((p) => p.name === name);
  return {
    ok: value('ok')?.valueBoolean === true,
    total: value('total')?.valueInteger ?? -1,
    seconds: (drainedAt - started) / 1000,
  };
}

/** Decisions the documents service served from its cache (hit) and asked of consent (miss). */
export async function decisionReuse(product: BenchProduct): Promise<{ hit: number; miss: number }> {
  const auditor = await product.token('--kind', 'auditor');
  const metrics = (await call(`${product.url('documents')}/metrics`, 'GET', bearer(auditor))).body
    .toString()
    .split('\n')
    .filter((line) => line.startsWith('access_decision_cache_total{'));
  const count = (result: string) =>
    metrics
      .filter((line) => line.includes(`result="${result}"`))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  return { hit: count('hit'), miss: count('miss') };
}
