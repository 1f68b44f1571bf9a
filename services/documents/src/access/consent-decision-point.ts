import {
  createAccessClient,
  createChangeFeedClient,
  createPatientRegistryClient,
} from '@dmp/consent-client';
import { serviceCounter, type ServiceMetrics } from '@dmp/http';
import type { AccessDecider } from '../ports/access-decider';
import { createConsentAccessDecider } from '../ports/consent-access-decider';
import { startChangeFollower, type ChangeFollower } from './change-follower';
import { createDecisionCache, type DecisionCache } from './decision-cache';

export interface ConsentDecisionPointOptions {
  /** Root URL of the consent service. */
  baseUrl: string;
  /** The documents service's own token. */
  token: () => Promise<string> | string;
  /** How long a decision (or a poll beyond consent's hold) may take. */
  timeoutMs: number;
  /** Most permits kept for reuse; 0 keeps none and follows no feed. */
  cacheEntries: number;
  /** Longest a permit is kept, whatever consent says. */
  cacheMaxAgeMs: number;
  metrics: ServiceMetrics;
  /** Told when a poll of the change feed fails (the caller throttles its logs). */
  onFeedError?: (error: unknown) => void;
}

export interface ConsentDecisionPoint {
  decider: AccessDecider;
  /** Absent when nothing is cached (`cacheEntries` 0). */
  cache?: DecisionCache;
  follower?: ChangeFollower;
  stop(): Promise<void>;
}

/**
 * The documents service's decision point as the product wires it: consent's decision API and
 * patient registry, a decision cache, and the follower of consent's change feed that keeps the
 * cache exact. Counts `access_decision_cache_total{result=hit|miss}`.
 */
export function openConsentDecisionPoint(
  options: ConsentDecisionPointOptions,
): ConsentDecisionPoint {
  const client = { baseUrl: options.baseUrl, token: options.token, timeoutMs: options.timeoutMs };
  const clients = {
    access: createAccessClient(client),
    patients: createPatientRegistryClient(client),
  };
  if (options.cacheEntries <= 0) {
    return { decider: createConsentAccessDecider(clients), stop: () => Promise.resolve() };
  }
  const lookups = serviceCounter(
    options.metrics,
    'access_decision_cache_total',
    'Access decisions looked up in the decision cache: hit (a kept permit served), miss (consent asked)',
    ['result'],
  );
  const cache = createDecisionCache({
    maxEntries: options.cacheEntries,
    maxAgeMs: options.cacheMaxAgeMs,
    onLookup: (result) => lookups.inc({ result }),
  });
  const follower = startChangeFollower({
    feed: createChangeFeedClient(client),
    cache,
    timeoutMs: options.timeoutMs,
    ...(options.onFeedError ? { onError: options.onFeedError } : {}),
  });
  return {
    decider: createConsentAccessDecider({ ...clients, cache }),
    cache,
    follower,
    stop: () => follower.stop(),
  };
}
