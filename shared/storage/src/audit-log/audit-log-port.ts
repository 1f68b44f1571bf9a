import type { AuditEvent } from 'fhir/r4';
import type { SearchPage, SearchQuery } from '@dmp/fhir';
import type { ChainBreak } from './hash-chain';

/**
 * The audit service's storage port: an append-only, hash-chained log of AuditEvents. It has no
 * update or delete method, and each adapter also refuses mutation in the database itself (SQLite
 * triggers; for MongoDB an insert/find-only database user). Database-neutral: adapters share the
 * canonical JSON, hashing and verification of this folder.
 */
export interface AuditLog {
  /**
   * Appends events in the given order, each with the next gapless sequence number, the previous
   * hash and its own hash. An event whose `id` is already stored (or repeated earlier in the same
   * call) is acknowledged, not stored again. Events without an `id` get one. Concurrent calls are
   * grouped into one database transaction (group commit): one fsync per group, not per event.
   * All events of one call are committed together or not at all.
   */
  append(events: readonly AuditEvent[]): Promise<AppendOutcome[]>;
  /** One event by id, or undefined. */
  read(id: string): Promise<AuditEvent | undefined>;
  /**
   * ITI-81 search: filters, sort (default: newest `recorded` first, then newest sequence),
   * count, keyset cursor (no repeat, no skip while events arrive), total.
   */
  search(query: SearchQuery): Promise<SearchPage<AuditEvent>>;
  /**
   * Records in sequence order from `afterSeq` (exclusive), optionally only those `recorded` in
   * [from, to); fetched page by page so memory stays constant.
   */
  scan(options?: ScanOptions): AsyncIterable<AuditRecord>;
  /** The last record's position, or the anchor (genesis: seq 0) when the log is empty. */
  head(): Promise<ChainPosition>;
  /** Where verification starts: the genesis, or the last record removed by retention. */
  anchor(): Promise<ChainPosition>;
  /** Recomputes the whole chain; reports the first broken sequence number. */
  verify(onProgress?: (verified: number, total: number) => void): Promise<VerificationReport>;
  /** Stores a signed checkpoint (append-only as well). */
  addCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /** Checkpoints, oldest first. */
  checkpoints(): Promise<Checkpoint[]>;
  /**
   * Retention: removes the records `recorded` before `cutoff` that form a prefix of the chain, and
   * keeps the last removed position as the new anchor. Never called unless retention is configured.
   */
  purgeBefore(cutoff: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface AppendOutcome {
  event: AuditEvent;
  /** False when the id was already stored (replay): the stored event is returned. */
  created: boolean;
  seq: number;
}

export interface ChainPosition {
  seq: number;
  hash: string;
}

/** One stored record as it is in the database (the JSON exactly as stored). */
export interface AuditRecord {
  seq: number;
  id: string;
  recorded: string;
  prevHash: string;
  hash: string;
  json: string;
}

export interface ScanOptions {
  afterSeq?: number;
  /** Inclusive lower bound on `recorded` (instant). */
  from?: string;
  /** Exclusive upper bound on `recorded` (instant). */
  to?: string;
  /** Rows fetched per page (default 500). */
  pageSize?: number;
}

/** A signed statement "the log had this head at this time". */
export interface Checkpoint {
  seq: number;
  hash: string;
  /** FHIR instant. */
  time: string;
  /** Compact JWS over `{ seq, hash, time }` (EdDSA). */
  jws: string;
}

export interface VerificationReport {
  ok: boolean;
  /** Records verified before the first break (or all of them). */
  verified: number;
  /** Records in the log. */
  total: number;
  /** First broken sequence number, when not ok. */
  firstBroken?: ChainBreak;
  head: ChainPosition;
}
