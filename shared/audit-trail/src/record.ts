import type { AuditEvent } from 'fhir/r4';
import type { OutboxWriter } from '@dmp/storage';
import { sanitizeAuditEvent } from './sanitize';
import { AUDIT_TOPIC } from './vocabulary';

/**
 * Appends an AuditEvent to a service's durable outbox (topic `audit`, shipped to the audit
 * service), made valid first. Inside a transaction it commits or rolls back with the data.
 */
export function recordAuditEvent(outbox: OutboxWriter, event: AuditEvent): Promise<void> {
  return outbox.append(AUDIT_TOPIC, sanitizeAuditEvent(event));
}
