import type { AuditEvent } from 'fhir/r4';
import type { AuditRecord, IndexEntry, SearchParameterSet } from '@dmp/storage';
import { toIndexDoc, toSortDocs, type IndexDoc, type SortDoc } from '../documents';
import type { SortLayout } from '../search/render-sort';

/**
 * One audit log record. `_id` is the gapless sequence (unique: a duplicate is refused by the
 * database); `id` the AuditEvent id (unique index); `json` the event exactly as hashed.
 */
export interface AuditDoc {
  _id: number;
  /** The sequence zero-padded (a string: sort tie-breaker and cursor value). */
  sk: string;
  id: string;
  /** `recorded` as a UTC instant (ms), for the default order and scans by time. */
  recorded: string;
  prevHash: string;
  hash: string;
  json: string;
  idx: IndexDoc[];
  srt: Record<string, SortDoc>;
}

export interface CheckpointDoc {
  _id: number;
  hash: string;
  time: string;
  jws: string;
}

/** Where verification starts after retention removed a prefix. */
export interface AnchorDoc {
  _id: number;
  hash: string;
  purgedAt: string;
}

export const AUDIT_LOG = 'audit_log';
export const AUDIT_CHECKPOINTS = 'audit_checkpoints';
export const AUDIT_ANCHORS = 'audit_anchors';

/** ITI-81 order: newest `recorded` first, ties by newest sequence; `_lastUpdated` = sequence. */
export const AUDIT_LAYOUT: SortLayout = {
  tie: 'sk',
  defaultPath: 'recorded',
  columns: { date: 'recorded', _id: 'id', _lastUpdated: 'sk' },
};

export const sequenceKey = (seq: number): string => String(seq).padStart(20, '0');

/** `recorded` as a sortable UTC instant; the original stays in the JSON. */
export function normalizeInstant(value: string | undefined, fallback: Date): string {
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? fallback.toISOString() : new Date(time).toISOString();
}

export function toAuditDoc(
  event: AuditEvent,
  chain: { seq: number; prevHash: string; hash: string },
  entries: readonly IndexEntry[],
  parameters: SearchParameterSet,
  now: Date,
): AuditDoc {
  return {
    _id: chain.seq,
    sk: sequenceKey(chain.seq),
    id: event.id ?? '',
    recorded: normalizeInstant(event.recorded, now),
    prevHash: chain.prevHash,
    hash: chain.hash,
    json: JSON.stringify(event),
    idx: entries.filter((e) => e.param !== '_id').map(toIndexDoc),
    srt: toSortDocs('AuditEvent', entries, parameters),
  };
}

export function toAuditRecord(doc: AuditDoc): AuditRecord {
  return {
    seq: doc._id,
    id: doc.id,
    recorded: doc.recorded,
    prevHash: doc.prevHash,
    hash: doc.hash,
    json: doc.json,
  };
}
