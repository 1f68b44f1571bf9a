/**
 * `run` shared by concurrent callers: a caller arriving while nothing runs starts a run; one
 * arriving during a run waits for the next one (the running one may have started before what
 * the caller needs, e.g. its commit), which every caller arriving meanwhile shares. So one run
 * at a time, and at most one waiting, serve every caller. A failed run fails its callers only.
 */
export function coalescedRun(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const current = run().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
}
