import { recordAuditEvent } from '@dmp/audit-trail';
import type { Consent } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import { decisionAuditEvent } from '../audit/audit-events';
import { decide } from '../domain/decide';
import type { SubjectFacts } from '../domain/decision';
import { factsOf, loadDmp, type PatientKey } from '../storage/dmp-repository';
import {
  actorNotAllowed,
  assertPatientBinding,
  type Caller,
  type ConsentServices,
} from './context';
import { ensureEmergencyGrant } from './emergency-grant';

export function subjectOf(actor: Actor): SubjectFacts {
  return {
    kind: actor.kind,
    id: actor.id,
    accessMode: actor.accessMode,
    legalRepresentative: false,
    ...(actor.profession ? { profession: actor.profession } : {}),
    ...(actor.organizationId ? { organizationId: actor.organizationId } : {}),
    ...(actor.accessReason ? { accessReason: actor.accessReason } : {}),
    ...(actor.attestation ? { attestation: actor.attestation } : {}),
    ...(actor.patient?.value ? { patientIns: actor.patient.value } : {}),
  };
}

/**
 * A professional declares emergency access (`bris_de_glace` or `centre_15` token) on a
 * patient: the rules decide; a permit yields the time-boxed grant (created and notified, or the
 * one still in force). A deny is a 403 naming the rule. Both are audited.
 */
export async function declareEmergencyAccess(
  services: ConsentServices,
  caller: Caller,
  key: PatientKey,
): Promise<{ grant: Consent; created: boolean }> {
  const { actor } = caller;
  if (actor.kind !== 'practitioner') {
    throw actorNotAllowed(
      'Only an individually authenticated professional may declare emergency access',
    );
  }
  assertPatientBinding(actor, key);
  if (actor.accessMode === 'normal') {
    throw fhirError(
      'DMP-CONSENT-REQUEST-INVALID',
      'The token is not in bris_de_glace or centre_15 mode',
    );
  }
  if (actor.accessMode === 'bris_de_glace' && !actor.accessReason?.trim()) {
    throw fhirError('DMP-CONSENT-BREAK-GLASS-REASON-REQUIRED');
  }
  const subject = subjectOf(actor);
  const outcome = await services.store.transaction(async (tx) => {
    const now = services.now();
    const record = await loadDmp(tx, key);
    const facts = factsOf(record);
    const decision = decide({ subject, action: 'read', dmp: facts, policy: services.policy, now });
    await recordAuditEvent(
      tx.outbox,
      decisionAuditEvent({
        caller: actor,
        subject,
        action: 'read',
        decision,
        patientRef: record.patient?.id ? `Patient/${record.patient.id}` : undefined,
        ins: key.ins,
        insSystem: key.system,
        requestId: caller.requestId,
        now,
      }),
    );
    const mode = decision.obligations?.emergency;
    if (!decision.permit || !mode || !record.patient?.id) return { denied: decision.reasons };
    return ensureEmergencyGrant(services, tx, {
      key,
      patientId: record.patient.id,
      subject,
      mode,
      preferences: facts.preferences,
      now,
    });
  });
  if ('denied' in outcome) {
    const reason = outcome.denied[0];
    throw fhirError('DMP-CONSENT-DENIED', `${reason?.code ?? 'DENIED'}: ${reason?.text ?? ''}`);
  }
  return outcome;
}
