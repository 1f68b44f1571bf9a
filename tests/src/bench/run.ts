import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench`: runs every benchmark of the repository one after the other (each in its own
 * process, so that one's memory does not weigh on the next), with the environment passed
 * through (`BENCH_*` variables scale them). Results are printed, never asserted.
 * `npm run bench -- documents consent` runs only those; `profile` runs only when named.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const BENCHES = [
  { name: 'storage', file: 'tests/dist/bench/storage-bench.js' },
  { name: 'documents', file: 'services/documents/dist/src/bench/documents-bench.js' },
  { name: 'consent', file: 'services/consent/dist/bench/decision-bench.js' },
  { name: 'audit', file: 'services/audit/dist/bench/audit-bench.js' },
  // The three services running together under load, beside an Express hello-world.
  { name: 'product', file: 'tests/dist/bench/product-bench.js' },
  // The same, each service under `--cpu-prof`: CPU and commit wait per request, top functions.
  { name: 'profile', file: 'tests/dist/bench/profile-bench.js', onlyWhenNamed: true },
] as const;

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown bench ${unknown.join(', ')}; one of ${BENCHES.map((b) => b.name).join(', ')}\n`,
  );
  process.exit(2);
}

const failed: string[] = [];
for (const bench of BENCHES) {
  if (wanted.length > 0 ? !wanted.includes(bench.name) : 'onlyWhenNamed' in bench) continue;
  const file = path.join(ROOT, bench.file);
  process.stdout.write(`\n=== bench:${bench.name} (${bench.file}) ===\n`);
  if (!existsSync(file)) {
    process.stdout.write('not built: skipped\n');
    failed.push(bench.name);
    continue;
  }
  const started = Date.now();
  const result = spawnSync(process.execPath, [file], { cwd: ROOT, stdio: 'inherit' });
  process.stdout.write(`--- ${bench.name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (result.status !== 0) failed.push(bench.name);
}
if (failed.length > 0) {
  process.stderr.write(`\nfailed: ${failed.join(', ')}\n`);
  process.exit(1);
}
