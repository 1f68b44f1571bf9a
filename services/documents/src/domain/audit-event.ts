import { randomUUID } from 'node:crypto';
import type {
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  Coding,
  DocumentReference,
  Reference,
} from 'fhir/r4';
import { queryEntity, userAgentOf } from '@dmp/audit-trail';
import type { Actor } from '@dmp/auth';
import type { DecisionBasis } from './decision-basis';
import { securityLabelCodes } from './security-labels';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const IHE_EVENT = 'urn:ihe:event-type-code';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
const LOCAL_EVENT = 'https://dmp.example.fr/fhir/CodeSystem/dmp-event-type';
/** Identifier system of the consent service's access decisions. */
export const ACCESS_DECISION_SYSTEM = 'https://dmp.example.fr/fhir/NamingSystem/access-decision';

/** The audited interaction: an MHD transaction, a PDSm metadata update, or a plain read. */
export type AuditedInteraction =
  'ITI-65' | 'ITI-66' | 'ITI-67' | 'ITI-68' | 'ITI-105' | 'PDSm-update' | 'read';

/**
 * What a person calls a document, for the trail's readers (a patient's access history, an
 * auditor): its description, else its first attachment's title, else its type.
 */
export function documentTitle(document: DocumentReference): string | undefined {
  return (
    document.description ??
    document.content[0]?.attachment.title ??
    document.type?.text ??
    document.type?.coding?.[0]?.display
  );
}

/**
 * `what` of the entity naming a document (or its Binary), with its title when it has one. Not
 * for a document hidden from its patient (`INVISIBLE_PATIENT`): the patient reads their access
 * history, and the title would tell them what the document is before the doctor has.
 */
export function documentEntity(reference: string, document: DocumentReference): Reference {
  const hidden = securityLabelCodes(document.securityLabel ?? []).includes('INVISIBLE_PATIENT');
  const title = hidden ? undefined : documentTitle(document);
  return title ? { reference, display: title } : { reference };
}

export interface AuditEntityInput {
  what: Reference;
  /** object-role: 3 Report (document), 4 Domain Resource, 20 Job (SubmissionSet), 24 Query. */
  role: '3' | '4' | '20' | '24';
  securityLabel?: Coding[];
}

export interface AuditInput {
  interaction: AuditedInteraction;
  /** 0 success, 4 minor failure (refused, bad request), 8 serious failure. */
  outcome: '0' | '4' | '8';
  outcomeDesc?: string;
  actor: Actor;
  requestId: string;
  /** This server's FHIR base (observer). */
  serverUrl: string;
  patient?: Reference;
  entities?: AuditEntityInput[];
  /** Raw query string (base64 encoded into the query entity) of a search. */
  query?: string;
  /** How the access was made, as the decision point said (default: the token's mode). */
  accessMode?: Actor['accessMode'];
  /** `Consent/<id>` of the emergency grant the access rests on. */
  grant?: string;
  /** The decision that permitted the access: its id, reasons and policy version. */
  decision?: DecisionBasis;
}

const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/** TRE_R248-ModeAcces (SPEC C2.4). */
const ACCESS_MODE_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.248';

/**
 * SPEC D.5: a professional's purpose of use in both vocabularies: HL7 (`TREAT`; `ETREAT` + `BTG`
 * for break-glass; `ETREAT` for centre 15) and the French access mode. Nothing for other actors.
 */
function purposesOf(actor: Actor, mode: Actor['accessMode']): Coding[] {
  if (actor.kind !== 'practitioner') return [];
  const hl7 =
    mode === 'bris_de_glace' ? ['ETREAT', 'BTG'] : mode === 'centre_15' ? ['ETREAT'] : ['TREAT'];
  return [
    ...hl7.map((code) => ({ system: ACT_REASON, code })),
    { system: ACCESS_MODE_SYSTEM, code: mode },
  ];
}

function withoutDuplicates(codings: Coding[]): Coding[] {
  const seen = new Set<string>();
  return codings.filter((c) => {
    const key = `${c.system ?? ''}|${c.code ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The shape of each audited interaction (type, subtype, action). */
export const SHAPE: Readonly<
  Record<AuditedInteraction, { action: AuditEvent['action']; type: Coding; subtype: Coding[] }>
> = {
  'ITI-65': {
    action: 'C',
    type: { system: DCM, code: '110107', display: 'Import' },
    subtype: [{ system: IHE_EVENT, code: 'ITI-65', display: 'Provide Document Bundle' }],
  },
  'ITI-105': {
    action: 'C',
    type: { system: EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: INTERACTION, code: 'create' },
      { system: IHE_EVENT, code: 'ITI-105', display: 'Simplified Publish' },
    ],
  },
  'ITI-66': {
    action: 'E',
    type: { system: EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: INTERACTION, code: 'search-type' },
      { system: IHE_EVENT, code: 'ITI-66', display: 'Find Document Lists' },
    ],
  },
  'ITI-67': {
    action: 'E',
    type: { system: EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: INTERACTION, code: 'search-type' },
      { system: IHE_EVENT, code: 'ITI-67', display: 'Find Document References' },
    ],
  },
  'ITI-68': {
    action: 'R',
    type: { system: EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: INTERACTION, code: 'read' },
      { system: IHE_EVENT, code: 'ITI-68', display: 'Retrieve Document' },
    ],
  },
  'PDSm-update': {
    action: 'U',
    type: { system: EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: INTERACTION, code: 'patch' },
      { system: LOCAL_EVENT, code: 'DMP-TD3.3', display: 'PDSm metadata update' },
    ],
  },
  read: {
    action: 'R',
    type: { system: EVENT_TYPE, code: 'rest' },
    subtype: [{ system: INTERACTION, code: 'read' }],
  },
};

/** Data flows to the client on reads/queries: it is then the destination (BALP). */
const CLIENT_RECEIVES = new Set<AuditEvent['action']>(['R', 'E']);

/**
 * An AuditEvent shaped after the MHD audit profiles (ITI-65 Recipient, ITI-66/67/68 Responder)
 * and BALP (PatientCreate/Read/Query/Update) with the token enrichment of the Minimal pattern.
 */
export function buildAuditEvent(input: AuditInput): AuditEvent {
  const shape = SHAPE[input.interaction];
  const mode = input.accessMode ?? input.actor.accessMode;
  const purposes = purposesOf(input.actor, mode);
  const purposeOfUse = withoutDuplicates([...input.actor.purposeOfUse, ...purposes]);
  const clientReceives = CLIENT_RECEIVES.has(shape.action);
  const role = (code: string, display: string): AuditEventAgent['type'] => ({
    coding: [{ system: DCM, code, display }],
  });
  const agents: AuditEventAgent[] = [
    {
      type: clientReceives
        ? role('110152', 'Destination Role ID')
        : role('110153', 'Source Role ID'),
      who: {
        identifier: { value: input.actor.clientId ?? input.actor.id },
        display: input.actor.clientId ?? input.actor.id,
      },
      requestor: false,
    },
    {
      type: clientReceives
        ? role('110153', 'Source Role ID')
        : role('110152', 'Destination Role ID'),
      who: { display: input.serverUrl },
      requestor: false,
      network: { address: input.serverUrl, type: '5' },
    },
    userAgentOf(input.actor, {
      purposeOfUse: purposeOfUse.length > 0 ? [{ coding: purposeOfUse }] : [],
    }),
  ];
  const entities: AuditEventEntity[] = [];
  if (input.patient) {
    entities.push({
      // Typed, so that ITI-81 `patient` finds a search event whose patient is only an INS.
      what: { ...input.patient, type: input.patient.type ?? 'Patient' },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  for (const entity of input.entities ?? []) {
    entities.push({
      what: entity.what,
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: entity.role },
      ...(entity.securityLabel ? { securityLabel: entity.securityLabel } : {}),
    });
  }
  if (input.query !== undefined) entities.push(queryEntity(input.query));
  if (mode === 'bris_de_glace' && input.actor.accessReason) {
    // The justification (SPEC D.5), never clinical content.
    entities.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      ...(input.grant ? { what: { reference: input.grant } } : {}),
      detail: [{ type: 'reason', valueString: input.actor.accessReason }],
    });
  } else if (input.grant) {
    entities.push({
      what: { reference: input.grant },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    });
  }
  if (input.decision) entities.push(decisionEntity(input.decision));
  entities.push({
    what: { identifier: { value: input.requestId } },
    type: { system: BALP_ENTITY_TYPE, code: 'XrequestId' },
  });
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: shape.type,
    subtype: shape.subtype,
    action: shape.action,
    recorded: new Date().toISOString(),
    outcome: input.outcome,
    ...(input.outcomeDesc ? { outcomeDesc: input.outcomeDesc } : {}),
    ...(mode !== 'normal' && purposes.length > 0 ? { purposeOfEvent: [{ coding: purposes }] } : {}),
    agent: agents,
    source: {
      observer: { display: input.serverUrl },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }],
    },
    entity: entities,
  };
}

/**
 * The access decision (a security resource): consent's id, the rules' reason codes, the policy
 * version, and whether the enforcement point reused it (decided earlier for the same question).
 */
function decisionEntity(decision: DecisionBasis): AuditEventEntity {
  return {
    what: { identifier: { system: ACCESS_DECISION_SYSTEM, value: decision.id } },
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    role: { system: OBJECT_ROLE, code: '13', display: 'Security Resource' },
    description: 'DMP access decision',
    detail: [
      { type: 'reasons', valueString: decision.reasons.join(',') },
      { type: 'policy-version', valueString: decision.policyVersion },
      { type: 'reused', valueString: String(decision.reused) },
    ],
  };
}
