import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChangeFeedClient, ChangesResponse } from '@dmp/consent-client';
import type { DecisionCache } from './decision-cache';

/**
 * Follows the consent service's change feed for this instance's decision cache: a loop of long
 * polls, each acknowledging what the previous one brought (consent's answer to a change waits
 * for that acknowledgement) and answering the changes after it. Each change makes the cache
 * forget the patient's decisions (all of them for a policy change, a policy fingerprint that
 * differs from the last one seen, or a feed that went back: a restored database). Only an
 * answered, applied, complete poll lets the cache serve, for three quarters of consent's bound
 * from when that poll was sent; a feed that cannot be read is retried with a short backoff, and
 * meanwhile every decision is asked of consent.
 */
export interface ChangeFollower {
  /** This instance's follower id at consent (random per process). */
  readonly id: string;
  /** Resolves once the feed has been read up to date at least once (tests, readiness). */
  followed(): Promise<void>;
  /** Resolves after the next poll read the feed up to date (tests). */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChangeFollowerOptions {
  feed: ChangeFeedClient;
  cache: DecisionCache;
  /** How long a poll may take beyond consent's hold (ms); default 2000. */
  timeoutMs?: number;
  /** Reports a failed poll (logged by the caller, at most once a period). */
  onError?: (error: unknown) => void;
  /** Backoff after a failed poll: from `minBackoffMs` (50) doubling to `maxBackoffMs` (1000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export function startChangeFollower(options: ChangeFollowerOptions): ChangeFollower {
  const { feed, cache } = options;
  const id = `documents-${randomUUID()}`;
  const stopping = new AbortController();
  const minBackoff = options.minBackoffMs ?? 50;
  const maxBackoff = options.maxBackoffMs ?? 1000;
  let cursor: number | undefined;
  let policy: string | undefined;
  let leaseMs = 2000;
  let markFollowed: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (markFollowed = resolve));
  let waiting: (() => void)[] = [];

  /** Applies one answer; true when the cache may be served from this poll on. */
  function apply(answer: ChangesResponse): boolean {
    leaseMs = answer.lease_ms;
    if (cursor !== undefined && answer.head < cursor) {
      // The feed went back (consent's database restored): forget everything, register again.
      cache.forgetAll();
      cursor = undefined;
      return false;
    }
    if (cursor === undefined || (policy !== undefined && answer.policy !== policy)) {
      cache.forgetAll();
    }
    policy = answer.policy;
    for (const change of answer.changes) {
      if (change.kind === 'patient') cache.forgetPatient(change.patient.value);
      else cache.forgetAll();
    }
    cursor = answer.changes[answer.changes.length - 1]?.seq ?? cursor ?? answer.head;
    return answer.more !== true;
  }

  const loop = (async () => {
    let backoff = minBackoff;
    while (!stopping.signal.aborted) {
      const sentAt = performance.now();
      try {
        const answer = await feed.poll(
          id,
          cursor,
          leaseMs / 4 + (options.timeoutMs ?? 2000),
          stopping.signal,
        );
        if (stopping.signal.aborted) return;
        if (apply(answer)) {
          cache.followed(sentAt, answer.lease_ms);
          markFollowed();
          for (const resolve of waiting) resolve();
          waiting = [];
        }
        backoff = minBackoff;
      } catch (error) {
        if (stopping.signal.aborted) return;
        options.onError?.(error);
        await pause(backoff, stopping.signal);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  })();

  return {
    id,
    followed: () => first,
    synced: () => new Promise<void>((resolve) => waiting.push(resolve)),
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
