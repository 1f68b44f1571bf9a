import { spawn } from 'node:child_process';
import path from 'node:path';
import { describeBuilt } from './describe-built';
import { ROOT } from './running-product';

/**
 * Every benchmark of `npm run bench` still runs to its end, at a tiny size. Their numbers are
 * never asserted (they are measured on a quiet machine, not here); what this guards is that a
 * change elsewhere does not leave a bench broken unnoticed, as access control by construction
 * once did to three of them (their service-only endpoints refused the benches' tokens).
 */
const TINY = {
  BENCH_DOCS: '2000',
  BENCH_DOCUMENTS: '2',
  BENCH_PATIENTS: '4',
  BENCH_SECONDS: '1',
  BENCH_WARMUP_SECONDS: '0',
  BENCH_LARGE_MB: '2',
  BENCH_N: '500',
  BENCH_HTTP_N: '100',
  BENCH_EVENTS: '500',
  BENCH_SINGLE: '50',
  BENCH_BATCHES: '3',
  BENCH_QUERIES: '10',
  BENCH_CONCURRENCY: '4',
};

function runBenches(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'tests', 'dist', 'bench', 'run.js')], {
      cwd: ROOT,
      env: { ...process.env, ...TINY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describeBuilt('npm run bench, at a tiny size', () => {
  it('runs every benchmark to its end', async () => {
    const { code, output } = await runBenches();
    expect({ code, failed: /failed: .*/.exec(output)?.[0] }).toEqual({
      code: 0,
      failed: undefined,
    });
    for (const name of ['storage', 'documents', 'consent', 'audit', 'product']) {
      expect(output).toContain(`--- ${name}: `);
    }
    expect(output).toContain('(ok: true)');
    expect(output).toContain('chain verified');
  }, 240_000);
});
