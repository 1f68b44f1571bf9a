/**
 * The load generator of the product benchmarks: HTTP/1.1 keep-alive calls, closed-loop workers
 * at a fixed concurrency for a fixed duration, latency percentiles. It runs in the bench's own
 * process, the same code for the product and for the Express floor.
 */
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** Origins whose 2xx answers are counted (the product's services), and the count. */
const countedOrigins = new Set<string>();
let answered = 0;

export function countAnswersFrom(origin: string): void {
  countedOrigins.add(origin);
}

/** How many 2xx answers the counted origins gave so far. */
export function answeredCount(): number {
  return answered;
}

export interface Answer {
  status: number;
  body: Buffer;
}

export function call(
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
        if (status < 300 && countedOrigins.has(new URL(url).origin)) answered += 1;
        resolve({ status, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export const fhirJson = { accept: 'application/fhir+json' };
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POSTs FHIR JSON; anything but 2xx throws with the answer. */
export async function post(url: string, token: string, body: unknown): Promise<Answer> {
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

export interface Result {
  concurrency: number;
  ok: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  statuses: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** `concurrency` closed-loop workers calling `once` for `seconds`; successes are 2xx. */
export async function drive(
  concurrency: number,
  seconds: number,
  once: () => Promise<number>,
): Promise<Result> {
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
  await Promise.all(Array.from({ length: concurrency }, worker));
  const duration = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    concurrency,
    ok: latencies.length,
    errors: total - latencies.length,
    perSecond: latencies.length / duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses: [...statuses.entries()].map(([s, n]) => `${s}×${n}`).join(' '),
  };
}

/** A warm-up, then the measured run; one line on stderr. */
export async function measure(
  label: string,
  load: { concurrency: number; seconds: number; warmupSeconds: number },
  once: () => Promise<number>,
): Promise<Result> {
  if (load.warmupSeconds > 0) await drive(load.concurrency, load.warmupSeconds, once);
  const result = await drive(load.concurrency, load.seconds, once);
  process.stderr.write(
    `${`${label} c=${load.concurrency}`.padEnd(40)} ${result.perSecond.toFixed(0).padStart(7)}/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  [${result.statuses}]\n`,
  );
  return result;
}

/** Runs `task` over `items` with `concurrency` at a time. */
export async function pool<T>(
  concurrency: number,
  items: readonly T[],
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** `uptime`'s load averages, said beside every figure (the machine is shared). */
export function machineLoad(): string {
  const [one, five, fifteen] = os.loadavg();
  return `load average ${one?.toFixed(2)}, ${five?.toFixed(2)}, ${fifteen?.toFixed(2)}`;
}
