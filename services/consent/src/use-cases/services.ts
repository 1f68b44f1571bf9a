import { createMetrics, serviceCounter, type Logger, type ServiceMetrics } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import { createBatchedAuditWriter } from '../audit/audit-writer';
import { EMPTY_POLICY, policyFingerprint, type AccessPolicy } from '../domain/access-policy';
import { createCommunicationNotifier, type Notifier } from '../notify/notifier';
import {
  DEFAULT_DECISION_CLIENTS,
  DEFAULT_FEED_LEASE_MS,
  DEFAULT_OPERATOR_CLIENTS,
} from '../settings';
import { FeedSignal } from './change-feed';
import type { ConsentServices, TrustedClients } from './context';

export interface ConsentServiceOptions {
  store: ResourceStore;
  policy?: AccessPolicy;
  /** Reads the policy again for a reload; default: the policy given. */
  loadPolicy?: () => AccessPolicy;
  now?: () => Date;
  notifier?: Notifier;
  clients?: Partial<TrustedClients>;
  /** The change feed's follower lease and bound on a change's wait (ms). */
  feedLeaseMs?: number;
  metrics?: ServiceMetrics;
  logger?: Logger;
}

/** The use cases' dependencies, with the defaults (fail-closed policy, Communication notifier). */
export function createConsentServices(options: ConsentServiceOptions): ConsentServices {
  const policy = options.policy ?? EMPTY_POLICY;
  const metrics = options.metrics ?? createMetrics('consent');
  return {
    store: options.store,
    policy,
    policyFingerprint: policyFingerprint(policy),
    loadPolicy: options.loadPolicy ?? (() => policy),
    now: options.now ?? (() => new Date()),
    notifier: options.notifier ?? createCommunicationNotifier(),
    audit: createBatchedAuditWriter(options.store),
    clients: {
      decisions: options.clients?.decisions ?? DEFAULT_DECISION_CLIENTS,
      operators: options.clients?.operators ?? DEFAULT_OPERATOR_CLIENTS,
    },
    feed: {
      leaseMs: options.feedLeaseMs ?? DEFAULT_FEED_LEASE_MS,
      signal: new FeedSignal(),
      acknowledgements: serviceCounter(
        metrics,
        'consent_change_acknowledgements_total',
        'Changes answered once every change-feed follower acknowledged them (acknowledged), or when the bound passed (bound: a follower could not be reached)',
        ['result'],
      ),
      onUnacknowledged: (followers, seq) =>
        options.logger?.warn(
          { followers, seq },
          'change answered on the bound: followers did not acknowledge it',
        ),
    },
    evaluations: serviceCounter(
      metrics,
      'access_evaluations_total',
      'Access decisions evaluated by the consent service, by outcome',
      ['decision'],
    ),
  };
}
