import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeBuilt } from './describe-built';
import { exited, freePort, ROOT } from './running-product';

/**
 * Under `NODE_ENV=production` (what the Docker image sets) the development issuer is off unless
 * `AUTH_DEV_ISSUER=true` is asked for: a service without a real issuer, and a console without an
 * identity provider, refuse to start instead of trusting (or offering) made-up identities.
 */
async function start(
  main: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-production-'));
  const port = String(await freePort());
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AUTH_|CONSOLE_|NODE_ENV$)/.test(name)),
  );
  const child = spawn(process.execPath, [path.join(ROOT, main)], {
    cwd: ROOT,
    env: {
      ...inherited,
      DATA_DIR: dataDir,
      DOCUMENTS_PORT: port,
      CONSOLE_PORT: port,
      DOCUMENTS_CONSENT_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
  const code = await exited(child);
  clearTimeout(timer);
  rmSync(dataDir, { recursive: true, force: true });
  return { code, stderr };
}

const DOCUMENTS = 'services/documents/dist/src/main.js';
const CONSOLE = 'services/console/dist/src/main.js';

describeBuilt('production defaults', () => {
  it('a service trusts no development issuer: without AUTH_JWKS it does not start', async () => {
    const { code, stderr } = await start(DOCUMENTS, { NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toContain('no token issuer is trusted');
  }, 30_000);

  it('the console offers no development sign-in: without an identity provider it does not start', async () => {
    const { code, stderr } = await start(CONSOLE, { NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toContain('no sign-in method');
  }, 30_000);

  it('AUTH_DEV_ISSUER=true still turns it on, as the local Docker compose file does', async () => {
    const { code, stderr } = await start(CONSOLE, {
      NODE_ENV: 'production',
      AUTH_DEV_ISSUER: 'true',
    });
    // On, it gets as far as the session keys production requires.
    expect(code).toBe(1);
    expect(stderr).toContain('CONSOLE_SESSION_KEYS is required');
  }, 30_000);
});
