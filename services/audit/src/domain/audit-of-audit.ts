import { queryEntity, userAgentOf } from '@dmp/audit-trail';
import type { AuditEvent, AuditEventEntity, Reference } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import {
  AUDIT_EVENT_TYPE,
  AUDIT_LOG_READ,
  BREAK_GLASS_REVIEW,
  DMP_AUDIT_SUBTYPE,
  ENTITY_TYPE,
  OBJECT_ROLE,
  RESTFUL_INTERACTION,
} from './vocabulary';

/** Who observed (recorded) the event: this service. */
export const AUDIT_SERVICE_OBSERVER: Reference = {
  display: 'DMP audit record repository',
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:dmp:service:audit' },
};

export interface AuditReadInput {
  actor: Actor;
  /** `search-type`, `read`, or an operation name (`$patient-history`, `$export`…). */
  interaction: string;
  /** The raw query string as received (BALP: base64, exactly, never the results). */
  rawQuery: string;
  requestId: string;
  recorded: string;
}

/**
 * The AuditEvent recording that someone read the audit trail (SPEC D.6, D.8.7; BALP Query pattern
 * with our subtype `audit-log-read`). A patient's read carries their INS as the patient entity,
 * so it shows in their own history.
 */
export function buildAuditLogRead(input: AuditReadInput): AuditEvent {
  const { actor } = input;
  const entity: AuditEventEntity[] = [
    { ...queryEntity(input.rawQuery), description: `AuditEvent ${input.interaction}` },
    {
      type: {
        system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
        code: 'XrequestId',
      },
      what: { identifier: { value: input.requestId } },
    },
  ];
  if (actor.kind === 'patient' && actor.patient?.value) {
    entity.unshift({
      what: { type: 'Patient', identifier: actor.patient },
      type: { system: ENTITY_TYPE, code: '1' },
      role: { system: OBJECT_ROLE, code: '1' },
    });
  }
  return {
    resourceType: 'AuditEvent',
    type: { system: AUDIT_EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: RESTFUL_INTERACTION, code: input.interaction === 'read' ? 'read' : 'search-type' },
      { system: DMP_AUDIT_SUBTYPE, code: AUDIT_LOG_READ },
    ],
    action: input.interaction === 'read' ? 'R' : 'E',
    recorded: input.recorded,
    outcome: '0',
    agent: [userAgentOf(actor)],
    source: { observer: AUDIT_SERVICE_OBSERVER },
    entity,
  };
}

export interface BreakGlassReviewInput {
  actor: Actor;
  /** Ids of the reviewed break-glass AuditEvents. */
  reviewed: readonly string[];
  /** The auditor's conclusion (free text, kept for auditors only). */
  comment?: string;
  recorded: string;
}

/** The appended event that records an auditor's review of break-glass accesses. */
export function buildBreakGlassReview(input: BreakGlassReviewInput): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: AUDIT_EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: DMP_AUDIT_SUBTYPE, code: BREAK_GLASS_REVIEW, display: 'Break-glass review' },
    ],
    action: 'E',
    recorded: input.recorded,
    outcome: '0',
    ...(input.comment ? { outcomeDesc: input.comment } : {}),
    agent: [userAgentOf(input.actor)],
    source: { observer: AUDIT_SERVICE_OBSERVER },
    entity: input.reviewed.map((id) => ({
      what: { reference: `AuditEvent/${id}` },
      type: { system: ENTITY_TYPE, code: '2' },
      role: { system: OBJECT_ROLE, code: '4' },
    })),
  };
}
