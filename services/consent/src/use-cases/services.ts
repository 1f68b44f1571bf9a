import type { ResourceStore } from '@dmp/storage';
import { createBatchedAuditWriter } from '../audit/audit-writer';
import { EMPTY_POLICY, type AccessPolicy } from '../domain/access-policy';
import { createCommunicationNotifier, type Notifier } from '../notify/notifier';
import { DEFAULT_DECISION_CLIENTS, DEFAULT_OPERATOR_CLIENTS } from '../settings';
import type { ConsentServices, TrustedClients } from './context';

export interface ConsentServiceOptions {
  store: ResourceStore;
  policy?: AccessPolicy;
  now?: () => Date;
  notifier?: Notifier;
  clients?: Partial<TrustedClients>;
}

/** The use cases' dependencies, with the defaults (fail-closed policy, Communication notifier). */
export function createConsentServices(options: ConsentServiceOptions): ConsentServices {
  return {
    store: options.store,
    policy: options.policy ?? EMPTY_POLICY,
    now: options.now ?? (() => new Date()),
    notifier: options.notifier ?? createCommunicationNotifier(),
    audit: createBatchedAuditWriter(options.store),
    clients: {
      decisions: options.clients?.decisions ?? DEFAULT_DECISION_CLIENTS,
      operators: options.clients?.operators ?? DEFAULT_OPERATOR_CLIENTS,
    },
  };
}
