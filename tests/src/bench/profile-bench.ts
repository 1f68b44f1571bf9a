/**
 * Where a request's time goes, per process: the product as the product bench runs it, each
 * service started with `node --cpu-prof`, driven phase by phase (ITI-67, ITI-68, ITI-65 at one
 * concurrency, then consent's decision API asked directly as documents asks it). For each phase
 * and service: CPU milliseconds per answered request (`/proc/<pid>/stat`, every thread), main
 * thread milliseconds per request spent in the database's BEGIN/COMMIT (the fsync wait: the
 * sampler runs on wall time and better-sqlite3 commits synchronously), and the top self-time
 * functions in that phase's window of the profile. Writes the `.cpuprofile` files (open them in
 * Chrome DevTools or VS Code) and `summary.md` to the output directory. Never asserted.
 *
 *   npm run bench -- profile
 *   BENCH_PROFILE_DIR=/tmp/profiles BENCH_SECONDS=5 npm run bench -- profile
 *
 * BENCH_PROFILE_DIR (`.bench/profile-<time>`), BENCH_CONCURRENCY (8), BENCH_SECONDS (10),
 * BENCH_WARMUP_SECONDS (1), BENCH_PATIENTS (200), BENCH_DOCUMENTS (3), BENCH_DOC_KB (100).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  benchLoad,
  cpuMsOf,
  INS_SYSTEM,
  memoryOf,
  pdfBytes,
  seedProduct,
  SERVICES,
  setting,
  startBenchProduct,
  waitForAuditDrain,
  type BenchProduct,
  type Seeded,
  type Service,
} from './bench-product';
import { monotonicUs, summarizeWindow, type Window } from './cpu-profile';
import { bearer, call, machineLoad, measure, type Result } from './load';
import { benchOperations } from './operations';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CONCURRENCY = Math.round(setting('BENCH_CONCURRENCY', 8));
const LOAD = benchLoad();
const { seconds: SECONDS, warmupSeconds: WARMUP, patients: PATIENTS, docKb: DOC_KB } = LOAD;
const PER_PATIENT = LOAD.perPatient;
const OUT = path.resolve(
  process.env.BENCH_PROFILE_DIR ??
    path.join(ROOT, '.bench', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`),
);

interface Phase {
  label: string;
  result: Result;
  window: Window;
  cpuMs: Record<Service, number>;
  load: string;
}

/** Runs one measured phase, recording its monotonic window and each service's CPU time. */
async function phase(
  product: BenchProduct,
  label: string,
  once: () => Promise<number>,
): Promise<Phase> {
  const load = { concurrency: CONCURRENCY, seconds: SECONDS, warmupSeconds: 0 };
  if (WARMUP > 0) await measure(`${label} (warm-up)`, { ...load, seconds: WARMUP }, once);
  const cpuBefore = Object.fromEntries(SERVICES.map((s) => [s, cpuMsOf(product.pids[s])]));
  const fromUs = monotonicUs();
  const result = await measure(label, load, once);
  const toUs = monotonicUs();
  const cpuMs = Object.fromEntries(
    SERVICES.map((s) => [s, cpuMsOf(product.pids[s]) - (cpuBefore[s] ?? 0)]),
  ) as Record<Service, number>;
  return { label, result, window: { fromUs, toUs }, cpuMs, load: machineLoad() };
}

/**
 * The decision documents asks for an ITI-67 by the bench's practitioner, posted straight to
 * consent with the documents service's own token: the consent round trip alone.
 */
async function consentRoundTrip(product: BenchProduct, seeded: Seeded) {
  const service = await product.token('--kind', 'system', '--sub', 'dmp-documents');
  const target = `${product.url('consent')}/access/v1/evaluation`;
  let n = 0;
  return () => {
    const ins = seeded.patients[(n += 1) % seeded.patients.length] ?? '';
    const body = {
      subject: { type: 'practitioner', id: '810000000001', properties: { profession: '10' } },
      action: { name: 'search' },
      resource: { type: 'dmp', properties: { patient: { system: INS_SYSTEM, value: ins } } },
      context: { access_mode: 'normal', attestation: 'care_team' },
    };
    return call(
      target,
      'POST',
      { ...bearer(service), 'content-type': 'application/json', accept: 'application/json' },
      JSON.stringify(body),
    ).then((answer) => answer.status);
  };
}

function report(phases: Phase[], profiles: Record<Service, string>, extra: string[]): string {
  const ms = (value: number) => value.toFixed(2);
  const lines = [
    `# Profile of the product under the bench load`,
    '',
    `Node ${process.version}; concurrency ${CONCURRENCY}; ${SECONDS} s per phase; ${PATIENTS} patients × ${PER_PATIENT} documents of ${DOC_KB} KiB. ` +
      'Every service runs under `--cpu-prof` (sampling costs a few per cent of CPU).',
    '',
    '## CPU per answered request (ms, all threads) and commit wait (main thread, ms per request)',
    '',
    '| Phase | req/s | p50 ms | p99 ms | documents CPU | consent CPU | audit CPU | total CPU | documents commit | consent commit | audit commit | machine load |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const summaries = phases.map((p) =>
    Object.fromEntries(SERVICES.map((s) => [s, summarizeWindow(profiles[s], p.window)])),
  );
  phases.forEach((p, i) => {
    const n = Math.max(1, p.result.ok);
    const cpu = SERVICES.map((s) => p.cpuMs[s] / n);
    const commit = SERVICES.map((s) => (summaries[i]?.[s]?.commitMs ?? 0) / n);
    lines.push(
      `| ${p.label} | ${p.result.perSecond.toFixed(0)} | ${p.result.p50.toFixed(1)} | ${p.result.p99.toFixed(1)} | ${cpu.map(ms).join(' | ')} | ${ms(cpu.reduce((a, b) => a + b, 0))} | ${commit.map(ms).join(' | ')} | ${p.load.replace('load average ', '')} |`,
    );
  });
  lines.push('', ...extra);
  phases.forEach((p, i) => {
    lines.push('', `## ${p.label}: top self time per process (ms per request)`);
    for (const service of SERVICES) {
      const summary = summaries[i]?.[service];
      if (!summary) continue;
      const n = Math.max(1, p.result.ok);
      lines.push(
        '',
        `### ${service}: main thread busy ${ms(summary.busyMs / n)} ms/request (GC ${ms(summary.gcMs / n)}, commit ${ms(summary.commitMs / n)})`,
        '',
        '| self ms/req | function |',
        '| ---: | --- |',
        ...summary.top.map((t) => `| ${ms(t.ms / n)} | \`${t.name}\` |`),
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const product = await startBenchProduct({
    docKb: DOC_KB,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${OUT}`],
  });
  const phases: Phase[] = [];
  const extra: string[] = [];
  try {
    const pdf = pdfBytes(DOC_KB);
    const seeded = await seedProduct(product, { ...LOAD, pdf, concurrency: 8 });
    for (const operation of benchOperations(product, seeded, pdf, DOC_KB)) {
      phases.push(await phase(product, operation.label, operation.product));
    }
    phases.push(
      await phase(product, 'consent decision alone', await consentRoundTrip(product, seeded)),
    );
    const audit = await waitForAuditDrain(product);
    extra.push(
      `Audit: ${audit.total} events, chain ${audit.ok ? 'verified' : 'NOT verified'}, drained ${audit.seconds.toFixed(1)} s after the load.`,
      '',
      '| Process | Peak RSS (VmHWM) |',
      '| --- | ---: |',
      ...SERVICES.map((s) => `| ${s} | ${memoryOf(product.pids[s]).peak.toFixed(0)} MiB |`),
    );
  } finally {
    await product.stop();
  }
  // Each service wrote its profile on exit, named after its pid.
  const files = readdirSync(OUT).filter((f) => f.endsWith('.cpuprofile'));
  const profiles = Object.fromEntries(
    SERVICES.map((s) => {
      const file = files.find((f) => f.split('.').includes(String(product.pids[s])));
      if (!file) throw new Error(`no profile of ${s} (pid ${product.pids[s]}) in ${OUT}`);
      return [s, path.join(OUT, file)];
    }),
  ) as Record<Service, string>;
  const summary = report(phases, profiles, extra);
  writeFileSync(path.join(OUT, 'summary.md'), summary);
  // The phases' monotonic windows, to read the profiles over them again (`summarizeWindow`).
  const windows = Object.fromEntries(phases.map((p) => [p.label, p.window]));
  writeFileSync(
    path.join(OUT, 'windows.json'),
    `${JSON.stringify({ profiles, windows }, null, 2)}\n`,
  );
  process.stdout.write(`${summary}\nprofiles and summary in ${OUT}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `profile bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
