import { performance } from 'node:perf_hooks';
import type { EvaluationResponse } from '@dmp/consent-client';

/**
 * The enforcement point's memory of consent's reusable permits, kept exact by the change feed
 * (`change-follower.ts`):
 * - an answer is kept under the exact question asked (the caller's identity, mode,
 *   attestation and scopes, the patient, the action with its changes, the document's facts),
 *   only when consent says it may be reused (a normal-mode permit whose basis does not depend
 *   on the clock), and no longer than consent says (an authorization's end) nor `maxAgeMs`;
 * - the feed makes it forget a patient's answers when their DMP changes, every answer when the
 *   policy does; an answer asked before such a change is never kept after it (the ticket);
 * - answers are served only while the feed is followed: its last answered poll was sent less
 *   than three quarters of consent's bound ago (monotonic clock). By the time consent answers a
 *   change without this instance's acknowledgement (the bound has passed), this instance has
 *   stopped serving what it kept.
 */
export interface DecisionCache {
  /** The answer kept for exactly this question, when it may be served now. */
  recall(key: string): EvaluationResponse | undefined;
  /** Taken before asking consent: what `keep` checks the answer against. */
  ticket(): DecisionTicket;
  /**
   * Keeps a reusable answer about `patient` (its INS), unless that patient's answers (or all)
   * were forgotten since the ticket was taken, or the feed has never been read.
   */
  keep(ticket: DecisionTicket, key: string, patient: string, answer: EvaluationResponse): void;
  /** The change feed said this patient's DMP changed. */
  forgetPatient(patient: string): void;
  /** The change feed said the policy changed, or cannot say what changed. */
  forgetAll(): void;
  /**
   * A poll of the feed sent at `sentAt` (monotonic ms) was answered and applied, up to date:
   * answers may be served until `sentAt` + three quarters of `leaseMs`.
   */
  followed(sentAt: number, leaseMs: number): void;
  readonly size: number;
}

export interface DecisionTicket {
  epoch: number;
  /** When it was taken (monotonic ms): the decision came later. */
  at: number;
}

export interface DecisionCacheOptions {
  /** Most answers kept (least recently used go first). */
  maxEntries: number;
  /** Longest an answer is kept, whatever consent says (a safety net). */
  maxAgeMs: number;
  /** Counts lookups: `hit` (served from the cache) or `miss` (asked consent). */
  onLookup?: (result: 'hit' | 'miss') => void;
  /** Monotonic milliseconds (tests). */
  clock?: () => number;
}

interface Kept {
  answer: EvaluationResponse;
  patient: string;
  until: number;
}

/** A forgetting, by epoch: a patient's INS, or every answer. */
interface Forgotten {
  epoch: number;
  patient: string | typeof EVERYONE;
}

const EVERYONE = Symbol('everyone');
/** Recent forgettings remembered to judge tickets; an older ticket is refused. */
const FORGOTTEN_LOG = 1024;
/** Serve while the last poll is younger than this share of consent's bound. */
const USABLE_SHARE = 0.75;

export function createDecisionCache(options: DecisionCacheOptions): DecisionCache {
  const clock = options.clock ?? (() => performance.now());
  const entries = new Map<string, Kept>();
  const byPatient = new Map<string, Set<string>>();
  const forgotten: Forgotten[] = [];
  let epoch = 0;
  let followedOnce = false;
  let usableUntil = Number.NEGATIVE_INFINITY;

  function drop(key: string): void {
    const kept = entries.get(key);
    if (!kept) return;
    entries.delete(key);
    const keys = byPatient.get(kept.patient);
    keys?.delete(key);
    if (keys?.size === 0) byPatient.delete(kept.patient);
  }

  function remember(patient: Forgotten['patient']): void {
    epoch += 1;
    forgotten.push({ epoch, patient });
    if (forgotten.length > FORGOTTEN_LOG) forgotten.shift();
  }

  function forgottenSince(ticket: DecisionTicket, patient: string): boolean {
    const oldest = forgotten[0];
    if (oldest && oldest.epoch > ticket.epoch + 1) return true;
    return forgotten.some(
      (f) => f.epoch > ticket.epoch && (f.patient === EVERYONE || f.patient === patient),
    );
  }

  return {
    recall(key) {
      const kept = entries.get(key);
      const now = clock();
      if (kept && now < kept.until && now < usableUntil) {
        entries.delete(key);
        entries.set(key, kept);
        options.onLookup?.('hit');
        return kept.answer;
      }
      if (kept && now >= kept.until) drop(key);
      options.onLookup?.('miss');
      return undefined;
    },
    ticket: () => ({ epoch, at: clock() }),
    keep(ticket, key, patient, answer) {
      if (options.maxEntries <= 0 || !followedOnce || forgottenSince(ticket, patient)) return;
      const within = answer.context.reuse?.within_ms;
      const until = ticket.at + Math.min(options.maxAgeMs, within ?? Number.POSITIVE_INFINITY);
      if (until <= clock()) return;
      drop(key);
      entries.set(key, { answer, patient, until });
      let keys = byPatient.get(patient);
      if (!keys) byPatient.set(patient, (keys = new Set()));
      keys.add(key);
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
    },
    forgetPatient(patient) {
      remember(patient);
      for (const key of [...(byPatient.get(patient) ?? [])]) drop(key);
    },
    forgetAll() {
      remember(EVERYONE);
      entries.clear();
      byPatient.clear();
    },
    followed(sentAt, leaseMs) {
      followedOnce = true;
      usableUntil = Math.max(usableUntil, sentAt + leaseMs * USABLE_SHARE);
    },
    get size() {
      return entries.size;
    },
  };
}
