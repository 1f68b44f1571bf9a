import { createHash } from 'node:crypto';
import type { AuditEvent } from 'fhir/r4';
import { canonicalJson } from './canonical-json';

/** The `prevHash` of the first event of a log: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** One stored event with its place in the chain. */
export interface ChainedAuditEvent {
  /** Gapless, starting at 1. */
  seq: number;
  /** Hex SHA-256 of the previous event's record ({@link GENESIS_HASH} for seq 1). */
  prevHash: string;
  /** Hex SHA-256 of {@link chainedForm}. */
  hash: string;
  event: AuditEvent;
}

/** What is hashed: the event (as stored, with its meta) plus its sequence and the previous hash. */
export function chainedForm(event: AuditEvent, seq: number, prevHash: string): string {
  return canonicalJson({ event, prevHash, seq });
}

export function hashChained(event: AuditEvent, seq: number, prevHash: string): string {
  return createHash('sha256')
    .update(chainedForm(event, seq, prevHash), 'utf8')
    .digest('hex');
}

/** Where the chain is broken, and why. */
export interface ChainBreak {
  seq: number;
  /**
   * `gap`: a sequence number is missing; `order`: a number repeats or goes back; `previous-hash`:
   * the link to the previous record is wrong; `hash`: the record's content does not give its hash;
   * `unreadable`: not JSON; `checkpoint`: a signed checkpoint disagrees with the record at its
   * sequence (the chain was rewritten from an earlier point); `truncated`: a checkpoint names a
   * sequence past the end (records were removed from the end).
   */
  reason: 'gap' | 'order' | 'previous-hash' | 'hash' | 'unreadable' | 'checkpoint' | 'truncated';
}

/**
 * Incremental chain verifier: feed it the records in storage order; it reports the first break.
 * It starts after an anchor (the genesis, or the last purged record when retention removed a
 * prefix), so a log can be verified in constant memory.
 */
export class ChainVerifier {
  private expectedSeq: number;
  private previousHash: string;
  private checked = 0;

  constructor(anchor: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = anchor.seq + 1;
    this.previousHash = anchor.hash;
  }

  /** Checks the next record; returns the break, if any (stop feeding after one). */
  next(record: {
    seq: number;
    prevHash: string;
    hash: string;
    json: string;
  }): ChainBreak | undefined {
    if (record.seq > this.expectedSeq) return { seq: this.expectedSeq, reason: 'gap' };
    if (record.seq < this.expectedSeq) return { seq: record.seq, reason: 'order' };
    if (record.prevHash !== this.previousHash) return { seq: record.seq, reason: 'previous-hash' };
    let event: AuditEvent;
    try {
      event = JSON.parse(record.json) as AuditEvent;
    } catch {
      return { seq: record.seq, reason: 'unreadable' };
    }
    if (hashChained(event, record.seq, record.prevHash) !== record.hash) {
      return { seq: record.seq, reason: 'hash' };
    }
    this.previousHash = record.hash;
    this.expectedSeq += 1;
    this.checked += 1;
    return undefined;
  }

  /** How many records verified so far. */
  get verified(): number {
    return this.checked;
  }

  /** The last verified position (seq, hash). */
  get head(): { seq: number; hash: string } {
    return { seq: this.expectedSeq - 1, hash: this.previousHash };
  }
}
