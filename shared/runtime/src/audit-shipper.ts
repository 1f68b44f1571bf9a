import { AUDIT_DEAD_LETTER_TOPIC } from '@dmp/audit-trail';
import type { Logger } from '@dmp/http';
import type { Outbox, OutboxRecord } from '@dmp/storage';

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
  /**
   * Wait when the outbox had less than a full batch (default 200 ms), so that under load the
   * records of many requests share one Bundle (one post, one claim and one ack commit).
   */
  idleMs?: number;
  /** Backoff after a failure: doubles from `minBackoffMs` up to `maxBackoffMs` (250 ms … 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Counts events the audit service refused (parked in the dead-letter topic). */
  deadLetters?: { inc(count: number): void };
}

export interface AuditShipper {
  /** Stops after the batch in flight (its records are acked, or claimed again later). */
  stop(): Promise<void>;
  /** Resolves when the outbox topic has no pending record (tests, shutdown). */
  drained(): Promise<void>;
}

/**
 * The JSON text of the ITI-20 batch Bundle of AuditEvents given as JSON texts (the audit service
 * is idempotent on id). Written around the stored texts: a batch of 200 events parsed and
 * serialised again held the event loop for several milliseconds.
 */
export function auditBundleJson(eventsJson: readonly string[]): string {
  const entries = eventsJson.map(
    (event) => `{"resource":${event},"request":{"method":"POST","url":"AuditEvent"}}`,
  );
  return `{"resourceType":"Bundle","type":"batch","entry":[${entries.join(',')}]}`;
}

type Verdict = 'stored' | 'refused' | 'retry';

interface EntryResponse {
  response?: { status?: unknown; outcome?: unknown };
}

/** Per entry of the batch-response: stored (2xx), refused for good (4xx), or to send again. */
function verdictsOf(body: unknown, count: number): EntryResponse[] | undefined {
  const entries = (body as { entry?: unknown } | undefined)?.entry;
  return Array.isArray(entries) && entries.length === count
    ? (entries as EntryResponse[])
    : undefined;
}

function verdict(entry: EntryResponse | undefined): Verdict {
  const status = entry?.response?.status;
  if (typeof status !== 'string') return 'retry';
  if (/^2\d\d/.test(status)) return 'stored';
  return /^4\d\d/.test(status) ? 'refused' : 'retry';
}

/**
 * Background loop: claims a batch of the outbox topic (the next one at once after a full batch,
 * after `idleMs` otherwise), posts it to the audit service as a batch Bundle, and acks every entry the audit service stored (2xx). An entry it refused (4xx: it can
 * never be stored as it is) is moved to the dead-letter topic with the audit service's answer,
 * counted, and logged as an error, so that it neither blocks the queue nor vanishes. Anything
 * else (network, 5xx, a malformed answer) is retried with exponential backoff. At-least-once: a
 * crash between post and ack resends the batch, which the audit service ignores (idempotent on
 * AuditEvent.id). The outbox is durable, so nothing is lost across restarts.
 */
export function startAuditShipper(options: AuditShipperOptions): AuditShipper {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.auditUrl.replace(/\/+$/, '')}/fhir`;
  const batchSize = options.batchSize ?? 200;
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
    const records = await options.outbox.claim(options.topic, batchSize, options.leaseMs ?? 30_000);
    if (records.length === 0) return 0;
    const response = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        accept: 'application/fhir+json',
        authorization: `Bearer ${await options.token()}`,
      },
      body: auditBundleJson(records.map((record) => record.payloadJson)),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const body: unknown = await response.json().catch(() => undefined);
    const entries = response.ok ? verdictsOf(body, records.length) : undefined;
    if (!entries) throw new Error(`audit service answered ${response.status}`);
    const refused = records.filter((_, i) => verdict(entries[i]) === 'refused');
    await parkRefused(refused, entries, records);
    const done = records.filter((_, i) => verdict(entries[i]) !== 'retry');
    await options.outbox.ack(done.map((record) => record.id));
    const retry = records.length - done.length;
    if (retry > 0) throw new Error(`audit service could not store ${retry} entries yet`);
    return records.length;
  }

  async function parkRefused(
    refused: OutboxRecord[],
    entries: EntryResponse[],
    records: OutboxRecord[],
  ): Promise<void> {
    for (const record of refused) {
      const answer = entries[records.indexOf(record)]?.response;
      await options.outbox.append(AUDIT_DEAD_LETTER_TOPIC, {
        event: record.payload,
        status: answer?.status,
        outcome: answer?.outcome,
        refusedAt: new Date().toISOString(),
      });
      const id = (record.payload as { id?: unknown } | null)?.id;
      options.logger.error(
        { eventId: typeof id === 'string' ? id : undefined, status: answer?.status },
        'the audit service refused an AuditEvent: parked in the dead-letter topic',
      );
    }
    if (refused.length > 0) options.deadLetters?.inc(refused.length);
  }

  const loop = (async () => {
    while (running) {
      try {
        const shipped = await shipOnce();
        backoff = minBackoff;
        // Only a full batch is followed at once by the next: a partial one means the outbox
        // is drained, and what arrives meanwhile goes in one Bundle instead of one each.
        if (shipped < batchSize) await sleep(options.idleMs ?? 200);
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
