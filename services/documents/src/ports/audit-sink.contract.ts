import type { AuditEvent } from 'fhir/r4';
import type { OutboxWriter } from '@dmp/storage';
import type { AuditSink } from './audit-sink';

export interface AuditSinkHarness {
  name: string;
  sink: () => AuditSink;
  /** The events durably recorded so far (e.g. read from the outbox). */
  recorded: () => Promise<AuditEvent[]>;
  /** Runs `work` in a data transaction whose outbox writer joins it. */
  transaction: (work: (writer: OutboxWriter) => Promise<void>) => Promise<void>;
}

function sampleEvent(id: string): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id,
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110107' },
    recorded: new Date().toISOString(),
    agent: [{ requestor: true, who: { display: 'test' } }],
    source: { observer: { display: 'documents' } },
  };
}

/** What every AuditSink must do: record, and join the data transaction when given one. */
export function describeAuditSinkContract(harness: AuditSinkHarness): void {
  describe(`${harness.name}: AuditSink contract`, () => {
    it('records an event outside a transaction', async () => {
      const id = `ev-${String(Math.random()).slice(2)}`;

      await harness.sink().record(sampleEvent(id));

      expect((await harness.recorded()).map((event) => event.id)).toContain(id);
    });

    it('records every event of concurrent requests, each before its record call resolves', async () => {
      const sink = harness.sink();
      const ids = Array.from({ length: 30 }, (_, n) => `ev-${n}-${String(Math.random()).slice(2)}`);

      const recordedWhenResolved = await Promise.all(
        ids.map((id) =>
          sink
            .record(sampleEvent(id))
            .then(async () => (await harness.recorded()).some((event) => event.id === id)),
        ),
      );

      expect(recordedWhenResolved).toEqual(ids.map(() => true));
    });

    it('commits the event with the transaction that wrote it', async () => {
      const id = `ev-${String(Math.random()).slice(2)}`;

      await harness.transaction((writer) => harness.sink().record(sampleEvent(id), writer));

      expect((await harness.recorded()).map((event) => event.id)).toContain(id);
    });

    it('drops the event when the transaction rolls back', async () => {
      const id = `ev-${String(Math.random()).slice(2)}`;

      await expect(
        harness.transaction(async (writer) => {
          await harness.sink().record(sampleEvent(id), writer);
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');

      expect((await harness.recorded()).map((event) => event.id)).not.toContain(id);
    });
  });
}
