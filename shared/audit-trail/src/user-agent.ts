import type { AuditEventAgent, Reference } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import { IDNAT_PS_SYSTEM, PARTICIPATION_TYPE } from './vocabulary';

/**
 * Who the actor is in an AuditEvent, the same in every service so that one ITI-81 filter finds
 * them everywhere: a professional by idNat_PS, a patient by INS, software by client id under its
 * token issuer.
 */
export function actorReference(actor: Actor): Reference {
  const display = actor.name !== undefined ? { display: actor.name } : {};
  if (actor.kind === 'practitioner') {
    return {
      type: 'Practitioner',
      identifier: { system: IDNAT_PS_SYSTEM, value: actor.nationalProviderId ?? actor.id },
      ...display,
    };
  }
  if (actor.kind === 'patient' && actor.patient?.value !== undefined) {
    return { type: 'Patient', identifier: actor.patient, ...display };
  }
  return {
    type: 'Device',
    identifier: { system: actor.issuer, value: actor.clientId ?? actor.id },
    ...display,
  };
}

/** A token id as a `uri` (`AuditEvent.agent.policy`): whatever the issuer put in `jti`. */
function policyOf(tokenId: string): string {
  return encodeURI(tokenId);
}

/**
 * The requesting user's agent (BALP: `IRCP`, `requestor` true), enriched from the token as the
 * BALP Minimal pattern says: roles, purpose of use, token id as policy. `purposeOfUse` may be
 * replaced by the caller (e.g. the access mode a decision point settled on).
 */
export function userAgentOf(
  actor: Actor,
  options: { purposeOfUse?: AuditEventAgent['purposeOfUse'] } = {},
): AuditEventAgent {
  const purposeOfUse =
    options.purposeOfUse ??
    (actor.purposeOfUse.length > 0 ? [{ coding: actor.purposeOfUse }] : undefined);
  return {
    type: { coding: [{ system: PARTICIPATION_TYPE, code: 'IRCP' }] },
    who: actorReference(actor),
    requestor: true,
    ...(actor.name !== undefined ? { name: actor.name } : {}),
    ...(actor.roles.length > 0 ? { role: [{ coding: actor.roles }] } : {}),
    ...(purposeOfUse !== undefined && purposeOfUse.length > 0 ? { purposeOfUse } : {}),
    ...(actor.tokenId !== undefined ? { policy: [policyOf(actor.tokenId)] } : {}),
  };
}
