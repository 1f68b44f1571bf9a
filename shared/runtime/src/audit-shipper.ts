import type { Logger } from '@dmp/http';
import type { Outbox } from '@dmp/storage';

export interface AuditShipperOptions {
  outbox: Outbox;
  /** Outbox topic of the AuditEvents (`audit`). */
  topic: string;
  /** Root URL of the audit service (no `/fhir`). */
  auditUrl: string;
  token: () => Promise<string>;
  logger: Logger;
  /** Records per Bundle (default 200). */
  batchSize?: number;
  /** Lease of a claimed batch: after it, an unacknowledged batch is claimed again (default 30 s). */
  leaseMs?: number;
  /** Wait when the outbox is empty (default 200 ms). */
  idleMs?: number;
  /** Backoff after a failure: doubles from `minBackoffMs` up to `maxBackoffMs` (250 ms … 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface AuditShipper {
  /** Stops after the batch in flight (its records are acked, or claimed again later). */
  stop(): Promise<void>;
  /** Resolves when the outbox topic has no pending record (tests, shutdown). */
  drained(): Promise<void>;
}

/** The ITI-20 batch Bundle of a list of AuditEvents (the audit service is idempotent on id). */
export function auditBundle(events: readonly unknown[]): unknown {
  return {
    resourceType: 'Bundle',
    type: 'batch',
    entry: events.map((resource) => ({ resource, request: { method: 'POST', url: 'AuditEvent' } })),
  };
}

function failedEntries(body: unknown): number {
  const entries = (body as { entry?: { response?: { status?: unknown } }[] } | undefined)?.entry;
  if (!Array.isArray(entries)) return -1;
  return entries.filter((e) => {
    const status = e.response?.status;
    return typeof status !== 'string' || !/^2\d\d/.test(status);
  }).length;
}

/**
 * Background loop: claims a batch of the outbox topic, posts it to the audit service as a batch
 * Bundle, acks it when every entry was stored (2xx), and retries with exponential backoff
 * otherwise. At-least-once: a crash between post and ack resends the batch, which the audit
 * service ignores (idempotent on AuditEvent.id). The outbox is durable, so nothing is lost
 * across restarts.
 */
export function startAuditShipper(options: AuditShipperOptions): AuditShipper {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.auditUrl.replace(/\/+$/, '')}/fhir`;
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let backoff = minBackoff;
  let running = true;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function shipOnce(): Promise<number> {
    const records = await options.outbox.claim(
      options.topic,
      options.batchSize ?? 200,
      options.leaseMs ?? 30_000,
    );
    if (records.length === 0) return 0;
    const response = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        accept: 'application/fhir+json',
        authorization: `Bearer ${await options.token()}`,
      },
      body: JSON.stringify(auditBundle(records.map((record) => record.payload))),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const body: unknown = await response.json().catch(() => undefined);
    const failed = response.ok ? failedEntries(body) : -1;
    if (failed !== 0) {
      throw new Error(`audit service answered ${response.status} (${failed} entries failed)`);
    }
    await options.outbox.ack(records.map((record) => record.id));
    return records.length;
  }

  const loop = (async () => {
    while (running) {
      try {
        const shipped = await shipOnce();
        backoff = minBackoff;
        if (shipped === 0) await sleep(options.idleMs ?? 200);
      } catch (error) {
        options.logger.warn({ err: error, retryInMs: backoff }, 'audit shipping failed');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  })();

  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
    async drained() {
      while ((await options.outbox.pending(options.topic)) > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
