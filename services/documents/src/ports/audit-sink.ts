import type { AuditEvent } from 'fhir/r4';
import { recordAuditEvent } from '@dmp/audit-trail';
import type { OutboxWriter } from '@dmp/storage';

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
 * `outbox` takes the records written outside a transaction (reads, refusals): in the service
 * the group-committed outbox (`createGroupCommitOutbox`), so that concurrent requests' records
 * share one store transaction and one fsync, each `record` resolving once its own is durable.
 */
export function createOutboxAuditSink(outbox: OutboxWriter): AuditSink {
  return {
    record: (event, writer) => recordAuditEvent(writer ?? outbox, event),
  };
}
