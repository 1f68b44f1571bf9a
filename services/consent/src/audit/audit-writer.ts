import { recordAuditEvent } from '@dmp/audit-trail';
import type { AuditEvent } from 'fhir/r4';
import { createGroupCommitOutbox, type ResourceStore } from '@dmp/storage';

/** Writes AuditEvents that belong to no data change (decisions) to the outbox. */
export interface AuditWriter {
  /** Resolves once the event is committed; rejects if the commit failed. */
  append(event: AuditEvent): Promise<void>;
}

/**
 * Concurrent decisions' events share one durable write (`createGroupCommitOutbox`: one
 * transaction, one fsync); every caller still waits for its own event to be committed before
 * answering (no access without an audit record).
 */
export function createBatchedAuditWriter(store: ResourceStore): AuditWriter {
  const outbox = createGroupCommitOutbox(store);
  return { append: (event) => recordAuditEvent(outbox, event) };
}
