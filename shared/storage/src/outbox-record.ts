import type { OutboxRecord } from './ports';

/**
 * An outbox record built from its stored JSON text: `payloadJson` is that text as it is, and
 * `payload` parses it only when read. The audit shipper forwards hundreds of records per batch
 * by their text (no parse, no serialisation of each AuditEvent on the service's event loop),
 * and reads the parsed payload only of a record the audit service refused.
 */
export function outboxRecordFromJson(
  fields: Omit<OutboxRecord, 'payload' | 'payloadJson'>,
  json: string,
): OutboxRecord {
  return {
    ...fields,
    payloadJson: json,
    get payload(): unknown {
      return JSON.parse(json) as unknown;
    },
  };
}
