// @ts-check
/**
 * Keeps one service process of `npm start` running. A service that stops on its own is started
 * again after a pause that doubles while it keeps stopping (1 s, 2 s, 4 s … at most 30 s; back
 * to 1 s once it has stayed up a minute), and each stop and restart is logged. A service that
 * keeps crashing at start, i.e. stops before answering `/healthz` three times in a row (one that
 * does not answer within a minute is killed and counts as such), is given up: `onGiveUp` then
 * stops everything.
 */
'use strict';

const POLICY = Object.freeze({
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  /** Up this long after becoming healthy: the next stop starts the backoff afresh. */
  stableAfterMs: 60_000,
  /** Failed starts in a row (stopped before `/healthz` answered) before giving up. */
  startAttempts: 3,
  healthTimeoutMs: 60_000,
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {{
 *   name: string,
 *   start: () => import('node:child_process').ChildProcess,
 *   isHealthy: () => Promise<boolean>,
 *   log: (line: string) => void,
 *   onGiveUp: (name: string) => void,
 * }} options
 */
function supervise({ name, start, isHealthy, log, onGiveUp }) {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  /** @type {NodeJS.Timeout | undefined} */
  let restartTimer;
  /** @type {number | undefined} */
  let healthyAt;
  let stopping = false;
  let failedStarts = 0;
  let stopsInARow = 0;
  let restarts = 0;
  /** @type {() => void} */
  let markHealthy = () => {};
  const firstHealthy = new Promise((resolve) => {
    markHealthy = () => resolve(undefined);
  });

  function launch() {
    restartTimer = undefined;
    const current = start();
    child = current;
    healthyAt = undefined;
    log(`${name} started (pid ${current.pid})`);
    current.once('exit', (code, signal) =>
      onExit(signal ? `signal ${signal}` : `exit code ${code}`),
    );
    void watchHealth(current);
  }

  /** @param {import('node:child_process').ChildProcess} current */
  async function watchHealth(current) {
    const deadline = Date.now() + POLICY.healthTimeoutMs;
    const alive = () => current === child && current.exitCode === null && !current.signalCode;
    while (!stopping && alive()) {
      if (await isHealthy()) {
        if (stopping || !alive()) return;
        healthyAt = Date.now();
        failedStarts = 0;
        if (restarts > 0) log(`${name} is healthy again (pid ${current.pid})`);
        markHealthy();
        return;
      }
      if (Date.now() > deadline) {
        log(
          `${name} did not answer /healthz within ${POLICY.healthTimeoutMs / 1000} s; killing it`,
        );
        current.kill('SIGKILL');
        return;
      }
      await sleep(100);
    }
  }

  /** @param {string} how */
  function onExit(how) {
    if (stopping) return;
    if (healthyAt === undefined) {
      failedStarts += 1;
      if (failedStarts >= POLICY.startAttempts) {
        log(`${name} stopped (${how}) before becoming healthy ${failedStarts} times in a row`);
        onGiveUp(name);
        return;
      }
    } else if (Date.now() - healthyAt >= POLICY.stableAfterMs) {
      stopsInARow = 0;
    }
    stopsInARow += 1;
    restarts += 1;
    const delay = Math.min(POLICY.firstDelayMs * 2 ** (stopsInARow - 1), POLICY.maxDelayMs);
    log(`${name} stopped unexpectedly (${how}); restart ${restarts} in ${delay / 1000} s`);
    restartTimer = setTimeout(launch, delay);
  }

  launch();
  return {
    /** Resolves the first time the service answers `/healthz`. */
    firstHealthy,
    /** Sends SIGTERM and restarts nothing more; resolves once the process has exited. */
    stop() {
      stopping = true;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) {
        return Promise.resolve();
      }
      current.kill('SIGTERM');
      return new Promise((resolve) => current.once('exit', () => resolve(undefined)));
    },
  };
}

module.exports = { supervise, POLICY };
