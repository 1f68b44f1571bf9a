import { recordAuditEvent } from '@dmp/audit-trail';
import { requireServiceClient } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import { policyReloadAuditEvent } from '../audit/audit-events';
import { policyFingerprint, type AccessPolicy } from '../domain/access-policy';
import { announcedChange } from './change-feed';
import type { Caller, ConsentServices } from './context';

export interface PolicyReloaded {
  version: string;
  /** `policyFingerprint` of the policy now in force. */
  policy: string;
  /** False when the policy read is the one already in force (nothing to announce). */
  changed: boolean;
}

/**
 * The operator has the consent service read its access policy again (`CONSENT_POLICY_FILE`):
 * a policy that cannot be read keeps the one in force (422). A different policy is put in force
 * on this instance, recorded and announced on the change feed, and the call answers once the
 * documents instances forgot every decision they kept (or the bound passed).
 */
export async function reloadPolicy(
  services: ConsentServices,
  caller: Caller,
): Promise<PolicyReloaded> {
  requireServiceClient(caller.actor, services.clients.operators);
  let next: AccessPolicy;
  try {
    next = services.loadPolicy();
  } catch (error) {
    throw fhirError(
      'DMP-CONSENT-POLICY-INVALID',
      error instanceof Error ? error.message : String(error),
    );
  }
  const fingerprint = policyFingerprint(next);
  const from = services.policyFingerprint;
  if (fingerprint === from) return { version: next.version, policy: fingerprint, changed: false };
  // In force before the announcement, so that what documents asks again after forgetting its
  // permits is decided on the new policy; put back if the change could not be recorded.
  const previous = services.policy;
  services.policy = next;
  services.policyFingerprint = fingerprint;
  try {
    await recordReload(services, caller, from, fingerprint);
  } catch (error) {
    services.policy = previous;
    services.policyFingerprint = from;
    throw error;
  }
  return { version: next.version, policy: fingerprint, changed: true };
}

function recordReload(
  services: ConsentServices,
  caller: Caller,
  from: string,
  fingerprint: string,
): Promise<void> {
  return announcedChange(services, async (tx, announce) => {
    await recordAuditEvent(
      tx.outbox,
      policyReloadAuditEvent({
        actor: caller.actor,
        from,
        to: fingerprint,
        requestId: caller.requestId,
        now: services.now(),
      }),
    );
    await announce({ kind: 'policy' });
  });
}
