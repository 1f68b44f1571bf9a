import { describeBuilt } from './describe-built';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { benchIns } from '../../../services/documents/src/bench/bench-data';
import { fhirClient, openDmp } from './actors';
import {
  exited,
  INS_SYSTEM,
  prepareEnvironment,
  ROOT,
  startProduct,
  type RunningProduct,
} from './running-product';

/**
 * `npm start` survives one service dying: start-all restarts it (with backoff, logged) while the
 * others keep running, and documents fails closed meanwhile. A service that keeps crashing at
 * start stops everything.
 */

/** Resolves with what the process wrote to stderr once `pattern` appears in it. */
function stderrMatch(text: () => string, pattern: RegExp, timeoutMs = 20_000) {
  return new Promise<RegExpExecArray>((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = () => {
      const match = pattern.exec(text());
      if (match) resolve(match);
      else if (Date.now() > deadline) reject(new Error(`no ${String(pattern)} in:\n${text()}`));
      else setTimeout(poll, 50);
    };
    poll();
  });
}

describeBuilt('npm start when the consent process dies', () => {
  let product: RunningProduct;
  const log = () => product.stderr();
  const KNOWN = benchIns(921);
  const ASKED_DURING_OUTAGE = benchIns(922);

  beforeAll(async () => {
    product = await startProduct();
    for (const ins of [KNOWN, ASKED_DURING_OUTAGE]) {
      const patient = product.token(
        '--kind',
        'patient',
        '--sub',
        ins,
        '--scope',
        'patient/*.cruds',
      );
      await openDmp(fhirClient(product.urls.consent, patient), ins);
    }
  }, 40_000);

  afterAll(() => product.remove());

  const search = (ins: string) =>
    fetch(
      `${product.urls.documents}/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${ins}&status=current`,
      { headers: { Authorization: `Bearer ${product.token('--profession', '10')}` } },
    );

  it('restarts consent after SIGKILL, answers 503 meanwhile (fail closed), then serves again', async () => {
    expect((await search(KNOWN)).status).toBe(200);
    const [, killedPid] = await stderrMatch(log, /consent started \(pid (\d+)\)/);

    process.kill(Number(killedPid), 'SIGKILL');
    // A patient not asked about before: the decision must come from consent, which is down.
    const during = await search(ASKED_DURING_OUTAGE);

    expect(during.status).toBe(503);
    expect(await during.text()).toContain('DMP-ACCESS-DECISION-UNAVAILABLE');
    await stderrMatch(log, /consent stopped unexpectedly \(signal SIGKILL\); restart 1 in 1 s/);
    const [, restartedPid] = await stderrMatch(log, /consent is healthy again \(pid (\d+)\)/);
    expect(restartedPid).not.toBe(killedPid);

    const after = await search(ASKED_DURING_OUTAGE);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    // Only consent was started again; start-all itself kept running.
    expect(log().match(/documents started/g)).toHaveLength(1);
    expect(log().match(/audit started/g)).toHaveLength(1);
    expect(product.child.exitCode).toBeNull();
  }, 40_000);

  it('still stops everything cleanly on Ctrl-C', async () => {
    await expect(product.stop()).resolves.toBe(0);
    await expect(fetch(`${product.urls.consent}/healthz`)).rejects.toThrow();
    await expect(fetch(`${product.urls.documents}/healthz`)).rejects.toThrow();
  });
});

describeBuilt('npm start when a service keeps crashing at start', () => {
  it('gives up after three failed starts in a row: stops the others, exit code 1, the reason', async () => {
    const environment = await prepareEnvironment({
      CONSENT_POLICY_FILE: path.join(ROOT, 'no-such-consent-policy.json'),
    });
    try {
      const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start-all.js')], {
        cwd: ROOT,
        env: environment.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
      });

      await expect(exited(child)).resolves.toBe(1);

      expect(log.match(/consent started/g)).toHaveLength(3);
      expect(log).toContain(
        'consent stopped (exit code 1) before becoming healthy 3 times in a row',
      );
      expect(log).toContain('consent keeps crashing at start; stopping everything');
      await expect(fetch(`${environment.urls.documents}/healthz`)).rejects.toThrow();
      await expect(fetch(`${environment.urls.audit}/healthz`)).rejects.toThrow();
    } finally {
      environment.remove();
    }
  }, 40_000);
});
