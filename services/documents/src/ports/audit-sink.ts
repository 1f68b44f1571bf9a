import type { AuditEvent } from 'fhir/r4';
import { recordAuditEvent } from '@dmp/audit-trail';
import { createGroupCommitOutbox, type OutboxWriter, type ResourceStore } from '@dmp/storage';

export { AUDIT_TOPIC } from '@dmp/audit-trail';

/**
 * Where the documents service records its AuditEvents. With `writer` (a transaction's outbox)
 * the record commits or rolls back with the data it describes; without, it is written at once
 * (reads: before the response). A failure to record fails the request.
 */
export interface AuditSink {
  record(event: AuditEvent, writer?: OutboxWriter): Promise<void>;
}

/**
 * The in-process sink: appends to the service's durable outbox (topic `audit`), made valid.
 * Records outside a transaction (reads, refusals) are group-committed: concurrent requests'
 * records share one store transaction and one fsync, and each `record` resolves once its own
 * record is durable. Make one per store: the group is per sink.
 */
export function createOutboxAuditSink(store: Pick<ResourceStore, 'transaction'>): AuditSink {
  const grouped = createGroupCommitOutbox(store);
  return {
    record: (event, writer) => recordAuditEvent(writer ?? grouped, event),
  };
}
