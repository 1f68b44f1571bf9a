import type { Logger } from './logger';

/**
 * Runs the stop steps in order on SIGINT/SIGTERM (Ctrl-C), once; a second signal or a stop that
 * hangs past `timeoutMs` exits at once.
 */
export function stopOnSignals(
  logger: Logger,
  steps: ReadonlyArray<() => Promise<void>>,
  timeoutMs = 15_000,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    const watchdog = setTimeout(() => {
      logger.error('stop timed out: exiting');
      process.exit(1);
    }, timeoutMs);
    watchdog.unref();
    void (async () => {
      for (const step of steps) {
        try {
          await step();
        } catch (error) {
          logger.error({ err: error }, 'error while stopping');
        }
      }
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
