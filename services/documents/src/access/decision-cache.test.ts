import type { EvaluationResponse } from '@dmp/consent-client';
import { createDecisionCache, type DecisionCacheOptions } from './decision-cache';

const LEASE = 2000;

function permit(reuse: { within_ms?: number } = {}): EvaluationResponse {
  return {
    decision: true,
    context: {
      id: 'decision-1',
      policy_version: 'v1',
      reasons: [{ code: 'CARE_TEAM', text: 'care team' }],
      reason_admin: { en: 'care team' },
      reuse,
    },
  };
}

function open(options: Partial<DecisionCacheOptions> = {}) {
  let now = 1000;
  const lookups: string[] = [];
  const cache = createDecisionCache({
    maxEntries: 10,
    maxAgeMs: 60_000,
    onLookup: (result) => lookups.push(result),
    clock: () => now,
    ...options,
  });
  return {
    cache,
    lookups,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    /** A poll sent now was answered up to date. */
    followed: () => cache.followed(now, LEASE),
  };
}

describe('the decision cache', () => {
  it('keeps nothing before the change feed was read once', () => {
    const { cache, followed } = open();
    const ticket = cache.ticket();
    cache.keep(ticket, 'q', 'ins-1', permit());
    followed();

    expect(cache.recall('q')).toBeUndefined();
    cache.keep(cache.ticket(), 'q', 'ins-1', permit());
    expect(cache.recall('q')).toBeDefined();
  });

  it('serves only while the last answered poll was sent less than 3/4 of the bound ago', () => {
    const { cache, followed, advance, lookups } = open();
    followed();
    cache.keep(cache.ticket(), 'q', 'ins-1', permit());

    advance(LEASE * 0.75 - 1);
    expect(cache.recall('q')).toBeDefined();
    advance(1);
    expect(cache.recall('q')).toBeUndefined();
    followed();
    expect(cache.recall('q')).toBeDefined();
    expect(lookups).toEqual(['hit', 'miss', 'hit']);
  });

  it("forgets a patient's answers, and never keeps an answer asked before they were forgotten", () => {
    const { cache, followed } = open();
    followed();
    cache.keep(cache.ticket(), 'a1', 'ins-a', permit());
    cache.keep(cache.ticket(), 'b1', 'ins-b', permit());
    const asked = cache.ticket();

    cache.forgetPatient('ins-a');
    cache.keep(asked, 'a2', 'ins-a', permit());
    cache.keep(asked, 'b2', 'ins-b', permit());

    expect(cache.recall('a1')).toBeUndefined();
    expect(cache.recall('a2')).toBeUndefined();
    expect(cache.recall('b1')).toBeDefined();
    expect(cache.recall('b2')).toBeDefined();
  });

  it('forgets everything on a policy change, including answers in flight', () => {
    const { cache, followed } = open();
    followed();
    cache.keep(cache.ticket(), 'a1', 'ins-a', permit());
    const asked = cache.ticket();

    cache.forgetAll();
    cache.keep(asked, 'b1', 'ins-b', permit());

    expect(cache.size).toBe(0);
    cache.keep(cache.ticket(), 'b1', 'ins-b', permit());
    expect(cache.recall('b1')).toBeDefined();
  });

  it('refuses an answer whose ticket is older than the forgettings it remembers', () => {
    const { cache, followed } = open();
    followed();
    const asked = cache.ticket();
    for (let n = 0; n < 1100; n += 1) cache.forgetPatient(`other-${n}`);

    cache.keep(asked, 'q', 'ins-1', permit());
    expect(cache.recall('q')).toBeUndefined();
  });

  it("keeps an answer no longer than consent's within_ms, counted from before the question, nor maxAgeMs", () => {
    const { cache, followed, advance } = open({ maxAgeMs: 5000 });
    followed();
    const asked = cache.ticket();
    advance(100);
    cache.keep(asked, 'bounded', 'ins-1', permit({ within_ms: 1000 }));
    cache.keep(asked, 'unbounded', 'ins-1', permit());

    advance(899);
    followed();
    expect(cache.recall('bounded')).toBeDefined();
    advance(1);
    expect(cache.recall('bounded')).toBeUndefined();
    advance(3999);
    followed();
    expect(cache.recall('unbounded')).toBeDefined();
    advance(1);
    expect(cache.recall('unbounded')).toBeUndefined();
  });

  it('drops the least recently used answer beyond maxEntries; 0 keeps nothing', () => {
    const small = open({ maxEntries: 2 });
    small.followed();
    for (const key of ['a', 'b']) small.cache.keep(small.cache.ticket(), key, 'ins', permit());
    small.cache.recall('a');
    small.cache.keep(small.cache.ticket(), 'c', 'ins', permit());

    expect(small.cache.recall('b')).toBeUndefined();
    expect(small.cache.recall('a')).toBeDefined();
    expect(small.cache.recall('c')).toBeDefined();
    const none = open({ maxEntries: 0 });
    none.followed();
    none.cache.keep(none.cache.ticket(), 'a', 'ins', permit());
    expect(none.cache.size).toBe(0);
  });
});
