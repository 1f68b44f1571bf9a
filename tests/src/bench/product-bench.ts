/**
 * Product benchmark: the three services as `npm start` runs them, every request with a verified
 * dev-issuer token, a consent decision and an audit event shipped. It seeds patients with an open
 * DMP and documents through ITI-65, then drives, at each fixed concurrency for a fixed duration
 * (closed loop, keep-alive connections), ITI-67 patient-scoped searches, ITI-68 reads of a
 * document and ITI-65 bundles; each beside an Express hello-world (its own process) with the same
 * load shape, measured in the same run by the same load generator (`load.ts`, in this process).
 * Peak RSS is the kernel's VmHWM of each process. Prints a markdown table; never asserted.
 *
 *   npm run bench -- product
 *   BENCH_SECONDS=5 BENCH_PATIENTS=50 BENCH_CONCURRENCY=4 npm run bench -- product
 *
 * BENCH_CONCURRENCY (`8,32`: one row per operation and concurrency), BENCH_SECONDS (10 per phase),
 * BENCH_WARMUP_SECONDS (1), BENCH_PATIENTS (200), BENCH_DOCUMENTS (per patient, 3), BENCH_DOC_KB
 * (100), BENCH_KEEP=1 keeps the data directory.
 */
import os from 'node:os';
import {
  benchLoad,
  decisionReuse,
  memoryOf,
  pdfBytes,
  seedProduct,
  startBenchProduct,
  waitForAuditDrain,
} from './bench-product';
import { answeredCount, machineLoad, measure, type Result } from './load';
import { benchOperations } from './operations';

const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map((value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error('BENCH_CONCURRENCY: integers > 0, a,b,…');
  return n;
});
const LOAD = benchLoad();
const { seconds: SECONDS, warmupSeconds: WARMUP, patients: PATIENTS, docKb: DOC_KB } = LOAD;
const PER_PATIENT = LOAD.perPatient;

async function main(): Promise<void> {
  const product = await startBenchProduct({ docKb: DOC_KB, keep: process.env.BENCH_KEEP === '1' });
  try {
    const pdf = pdfBytes(DOC_KB);
    const seeded = await seedProduct(product, { ...LOAD, pdf, concurrency: 8 });
    process.stderr.write(
      `seeded ${PATIENTS} patients, ${seeded.documents} documents of ${DOC_KB} KiB in ${seeded.seconds.toFixed(1)} s\n`,
    );
    const rows: { label: string; product: Result; floor: Result; load: string }[] = [];
    for (const operation of benchOperations(product, seeded, pdf, DOC_KB)) {
      for (const concurrency of CONCURRENCIES) {
        const load = { concurrency, seconds: SECONDS, warmupSeconds: WARMUP };
        const result = await measure(operation.label, load, operation.product);
        const floor = await measure(operation.floorLabel, load, operation.floor);
        rows.push({ label: operation.label, product: result, floor, load: machineLoad() });
      }
    }
    const answered = answeredCount();
    const audit = await waitForAuditDrain(product);
    const reuse = await decisionReuse(product);
    const memory = {
      documents: memoryOf(product.pids.documents),
      consent: memoryOf(product.pids.consent),
      audit: memoryOf(product.pids.audit),
      'express hello-world': memoryOf(product.pids.hello),
    };
    const ms = (value: number) => value.toFixed(1);
    const lines = [
      '',
      `Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
        `${SECONDS} s per phase after ${WARMUP} s warm-up; ` +
        `${PATIENTS} patients × ${PER_PATIENT} documents seeded in ${seeded.seconds.toFixed(1)} s`,
      '',
      '| Operation | c | Product req/s | p50 ms | p99 ms | Express floor req/s | p50 ms | p99 ms | Product / floor | machine load (1 min) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        ({ label, product: p, floor: f, load }) =>
          `| ${label}${p.errors > 0 ? ` (${p.errors} errors)` : ''} | ${p.concurrency} | ${p.perSecond.toFixed(0)} | ${ms(p.p50)} | ${ms(p.p99)} | ${f.perSecond.toFixed(0)} | ${ms(f.p50)} | ${ms(f.p99)} | ${((100 * p.perSecond) / f.perSecond).toFixed(1)} % | ${/average ([\d.]+)/.exec(load)?.[1] ?? '?'} |`,
      ),
      '',
      `Audit: ${audit.total} events recorded for ${answered} answered product requests, ` +
        `chain ${audit.ok ? 'verified' : 'NOT verified'}, drained ${audit.seconds.toFixed(1)} s after the load; ` +
        `decisions reused from the documents cache: ${reuse.hit}, asked of consent: ${reuse.miss}`,
      '',
      '| Process | Peak RSS (VmHWM) | RSS at the end |',
      '| --- | ---: | ---: |',
      ...Object.entries(memory).map(
        ([name, m]) => `| ${name} | ${m.peak.toFixed(0)} MiB | ${m.now.toFixed(0)} MiB |`,
      ),
      '',
      `Machine at the end: ${machineLoad()}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await product.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `product bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
