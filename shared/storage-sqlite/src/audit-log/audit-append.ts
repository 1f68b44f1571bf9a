import { randomUUID } from 'node:crypto';
import type { AuditEvent } from 'fhir/r4';
import type { AppendOutcome, ChainPosition, Indexer } from '@dmp/storage';
import { hashChained } from '@dmp/storage';
import type { Connection } from '../connection';
import { insertIndexRows } from '../index-rows';

const INSERT_EVENT =
  'INSERT INTO audit_events (seq, id, recorded, prev_hash, hash, json) VALUES (?, ?, ?, ?, ?, ?)';

/** The in-memory head of the chain, advanced only when a transaction commits. */
export interface ChainHead {
  position: ChainPosition;
}

/** `recorded` as a sortable UTC instant (ms precision); the original stays in the JSON. */
export function normalizeInstant(value: string | undefined, fallback: Date): string {
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? fallback.toISOString() : new Date(time).toISOString();
}

/**
 * Appends one caller's events inside the open transaction, advancing `head` (the caller restores
 * it if the transaction rolls back), with their index entries of the `searched` params only.
 * Replays of a stored id, and repeats inside the call, are acknowledged with the stored event.
 */
export function appendEvents(
  conn: Connection,
  indexer: Indexer,
  searched: ReadonlySet<string>,
  head: ChainHead,
  events: readonly AuditEvent[],
  now: Date,
): AppendOutcome[] {
  const insertEvent = conn.statement(INSERT_EVENT);
  const findById = conn.statement('SELECT seq, json FROM audit_events WHERE id = ?');
  const stamp = now.toISOString();
  return events.map((event): AppendOutcome => {
    if (event.id !== undefined) {
      const existing = findById.get(event.id) as { seq: number; json: string } | undefined;
      if (existing) {
        return {
          event: JSON.parse(existing.json) as AuditEvent,
          created: false,
          seq: existing.seq,
        };
      }
    }
    const stored: AuditEvent = {
      ...event,
      id: event.id ?? randomUUID(),
      meta: { ...event.meta, versionId: '1', lastUpdated: stamp },
    };
    const seq = head.position.seq + 1;
    const prevHash = head.position.hash;
    const hash = hashChained(stored, seq, prevHash);
    insertEvent.run(
      seq,
      stored.id,
      normalizeInstant(stored.recorded, now),
      prevHash,
      hash,
      JSON.stringify(stored),
    );
    const entries = indexer.extract(stored).filter((entry) => searched.has(entry.param));
    insertIndexRows(conn, 'audit_index', 'seq', seq, entries);
    head.position = { seq, hash };
    return { event: stored, created: true, seq };
  });
}
