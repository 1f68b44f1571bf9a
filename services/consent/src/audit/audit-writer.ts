import { recordAuditEvent } from '@dmp/audit-trail';
import type { AuditEvent } from 'fhir/r4';
import type { ResourceStore } from '@dmp/storage';

/** Writes AuditEvents that belong to no data change (decisions) to the outbox. */
export interface AuditWriter {
  /** Resolves once the event is committed; rejects if the commit failed. */
  append(event: AuditEvent): Promise<void>;
}

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: events appended while a commit is running, or during the same turn of the
 * event loop, are committed together in one transaction, so that concurrent decisions share
 * one durable write (fsync) instead of paying one each. Every caller still waits for its own
 * event to be committed before answering (no access without an audit record).
 */
export function createBatchedAuditWriter(store: ResourceStore, maxBatch = 500): AuditWriter {
  let queue: Pending[] = [];
  let running = false;

  async function flush(): Promise<void> {
    running = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await store.transaction(async (tx) => {
          for (const item of batch) await recordAuditEvent(tx.outbox, item.event);
        });
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
      // Let the requests that arrived during the commit queue their events first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    running = false;
  }

  return {
    append(event) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        if (!running) {
          running = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
