import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from 'fhir/r4';
import {
  actorReference,
  consentChangeDetail,
  userAgentOf,
  type ConsentChangeFact,
} from '@dmp/audit-trail';
import { G15_PROFESSION_SYSTEM, INS_NIR_SYSTEM, type Actor } from '@dmp/auth';
import type { Decision, SubjectFacts } from '../domain/decision';

/**
 * BALP-shaped AuditEvents (SPEC D.3–D.5) for what the consent service does: one per consent
 * or DMP-state change (`PatientUpdate` pattern) and one per access decision (`AuthZconsent`:
 * outcome 0 = permit, 4 = deny). They go to the local outbox, topic `audit`, in the same
 * transaction as the change they record.
 */
export { AUDIT_TOPIC } from '@dmp/audit-trail';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST_TYPE: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  code: 'rest',
};
const SECURITY_ALERT: Coding = { system: DCM, code: '110113', display: 'Security Alert' };
const AUTHZ_CONSENT: Coding = {
  system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType',
  code: 'AuthZ-Consent',
};
const ACCESS_MODE_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.248';
const SOURCE = {
  observer: { display: 'dmp-consent-service' },
  type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }],
};

function patientEntity(
  patientRef: string | undefined,
  ins: string,
  insSystem: string,
): AuditEventEntity {
  return {
    what: {
      ...(patientRef ? { reference: patientRef } : {}),
      identifier: { system: insSystem, value: ins },
    },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
    role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
  };
}

function requestEntity(requestId: string): AuditEventEntity {
  return {
    what: { identifier: { value: requestId } },
    type: {
      system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
      code: 'XrequestId',
    },
  };
}

/** The access mode (TRE_R248) as the user's purpose of use. */
function modeAsPurpose(mode: string): AuditEventAgent['purposeOfUse'] {
  return [{ coding: [{ system: ACCESS_MODE_SYSTEM, code: mode }] }];
}

/** The professional, patient or software a decision was about, as `userAgentOf` names actors. */
function subjectAsActor(subject: SubjectFacts): Actor {
  return {
    kind: subject.kind,
    id: subject.id,
    ...(subject.patientIns && subject.kind === 'patient'
      ? { patient: { system: INS_NIR_SYSTEM, value: subject.patientIns } }
      : {}),
    roles: subject.profession ? [{ system: G15_PROFESSION_SYSTEM, code: subject.profession }] : [],
    purposeOfUse: [],
    accessMode: subject.accessMode,
    scopes: [],
    issuer: 'urn:dmp:consent:subject',
  };
}

export interface ChangeAudit {
  actor: Actor;
  action: 'C' | 'U';
  /** e.g. `Consent/12/_history/3` or `Patient/7/_history/2`. */
  what: string;
  description: string;
  /** The consent changes made, one `detail` each on the changed entity (patient's history). */
  changes?: readonly ConsentChangeFact[];
  patientRef: string;
  ins: string;
  insSystem: string;
  requestId: string;
  now: Date;
}

export function changeAuditEvent(input: ChangeAudit): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: REST_TYPE,
    subtype: [
      {
        system: 'http://hl7.org/fhir/restful-interaction',
        code: input.action === 'C' ? 'create' : 'update',
      },
    ],
    action: input.action,
    recorded: input.now.toISOString(),
    outcome: '0',
    outcomeDesc: input.description,
    agent: [userAgentOf(input.actor, { purposeOfUse: modeAsPurpose(input.actor.accessMode) })],
    source: SOURCE,
    entity: [
      patientEntity(input.patientRef, input.ins, input.insSystem),
      {
        what: { reference: input.what },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4' },
        ...(input.changes && input.changes.length > 0
          ? { detail: input.changes.map(consentChangeDetail) }
          : {}),
      },
      requestEntity(input.requestId),
    ],
  };
}

export interface DecisionAudit {
  caller: Actor;
  subject: SubjectFacts;
  action: string;
  decision: Decision;
  patientRef: string | undefined;
  ins: string;
  insSystem: string;
  requestId: string;
  now: Date;
}

export function decisionAuditEvent(input: DecisionAudit): AuditEvent {
  const reasons = input.decision.reasons.map((r) => r.code).join(',');
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: SECURITY_ALERT,
    subtype: [AUTHZ_CONSENT],
    action: 'E',
    recorded: input.now.toISOString(),
    outcome: input.decision.permit ? '0' : '4',
    outcomeDesc: `${input.decision.permit ? 'permit' : 'deny'} ${input.action}: ${reasons}`,
    agent: [
      userAgentOf(subjectAsActor(input.subject), {
        purposeOfUse: modeAsPurpose(input.subject.accessMode),
      }),
      {
        type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
        who: actorReference(input.caller),
        requestor: false,
      },
    ],
    source: SOURCE,
    entity: [
      patientEntity(input.patientRef, input.ins, input.insSystem),
      requestEntity(input.requestId),
      ...(input.subject.accessMode === 'bris_de_glace' && input.subject.accessReason
        ? [
            {
              type: {
                system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
                code: '2',
              },
              detail: [{ type: 'reason', valueString: input.subject.accessReason }],
            },
          ]
        : []),
    ],
  };
}

export interface PolicyReloadAudit {
  actor: Actor;
  /** The version label and fingerprint before and after. */
  from: string;
  to: string;
  requestId: string;
  now: Date;
}

/** The operator replaced the access policy (`POST /admin/v1/policy/reload`). */
export function policyReloadAuditEvent(input: PolicyReloadAudit): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: REST_TYPE,
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'update' }],
    action: 'U',
    recorded: input.now.toISOString(),
    outcome: '0',
    outcomeDesc: `Access policy reloaded: ${input.from} -> ${input.to}`,
    agent: [userAgentOf(input.actor, { purposeOfUse: modeAsPurpose(input.actor.accessMode) })],
    source: SOURCE,
    entity: [
      {
        what: { identifier: { value: input.to } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '13' },
        description: 'DMP access policy',
      },
      requestEntity(input.requestId),
    ],
  };
}
