import type { ResourceStore } from '@dmp/storage';
import { createBatchedAuditWriter } from '../audit/audit-writer';
import { EMPTY_POLICY, type AccessPolicy } from '../domain/access-policy';
import { createCommunicationNotifier, type Notifier } from '../notify/notifier';
import type { ConsentServices } from './context';

export interface ConsentServiceOptions {
  store: ResourceStore;
  policy?: AccessPolicy;
  now?: () => Date;
  notifier?: Notifier;
}

/** The use cases' dependencies, with the defaults (fail-closed policy, Communication notifier). */
export function createConsentServices(options: ConsentServiceOptions): ConsentServices {
  return {
    store: options.store,
    policy: options.policy ?? EMPTY_POLICY,
    now: options.now ?? (() => new Date()),
    notifier: options.notifier ?? createCommunicationNotifier(),
    audit: createBatchedAuditWriter(options.store),
  };
}
