import type { SearchParameterDefinition } from '../search-parameter';
import { PATIENT_CHAINS, PRACTITIONER_IDENTIFIER } from './chain-targets';
import { commonParameters, profiled, r4, whereReferenceIs } from './define';

const AGENT_TARGETS = [
  'Practitioner',
  'Organization',
  'Device',
  'Patient',
  'PractitionerRole',
  'RelatedPerson',
];

/**
 * Not an official SearchParameter: BALP's Audit Record Repository CapabilityStatement lists
 * `entity.identifier` (a chain on `entity` with no target type); SPEC D.2 asks for `entity-id`
 * too. Both spellings map to the identifier carried in `entity.what`.
 */
export const AUDIT_EVENT_ENTITY_ID_DEFINITION =
  'https://profiles.ihe.net/ITI/BALP/CapabilityStatement/IHE.BALP.ATNA.AuditRecordRepository#entity.identifier';

/** `agent.identifier=…` (the actor's identifier, e.g. idNat_PS in `agent.who.identifier`). */
const AGENT_CHAINS = { Practitioner: [PRACTITIONER_IDENTIFIER] };

/** `source.identifier=…` (the observer's identifier in `source.observer.identifier`). */
const SOURCE_CHAINS = {
  Device: [r4('identifier', 'token', 'Device-identifier', 'Device.identifier')],
};

/**
 * Our own parameter (no R4 or IHE one exists): the purpose of use of the agents and of the event,
 * so that break-glass (`v3-ActReason|BTG`, TRE_R248 `bris_de_glace`) and SAMU accesses are found.
 */
export const AUDIT_EVENT_PURPOSE_DEFINITION =
  'https://dmp.example.fr/fhir/SearchParameter/AuditEvent-purpose-of-use';

/** ITI-81 (SPEC D.2) and the R4 core AuditEvent parameters. */
export const AUDIT_EVENT_PARAMETERS: readonly SearchParameterDefinition[] = [
  ...commonParameters('AuditEvent'),
  r4('date', 'date', 'AuditEvent-date', 'AuditEvent.recorded', { sortable: true }),
  r4(
    'patient',
    'reference',
    'AuditEvent-patient',
    `${whereReferenceIs('AuditEvent.agent.who', 'Patient')} | ` +
      whereReferenceIs('AuditEvent.entity.what', 'Patient'),
    { targets: ['Patient'], chains: PATIENT_CHAINS },
  ),
  r4('agent', 'reference', 'AuditEvent-agent', 'AuditEvent.agent.who', {
    targets: AGENT_TARGETS,
    chains: AGENT_CHAINS,
  }),
  r4('agent-name', 'string', 'AuditEvent-agent-name', 'AuditEvent.agent.name', { sortable: true }),
  r4('agent-role', 'token', 'AuditEvent-agent-role', 'AuditEvent.agent.role'),
  // Any resource type may be an entity; no target list so that bare ids keep an unknown type.
  r4('entity', 'reference', 'AuditEvent-entity', 'AuditEvent.entity.what'),
  r4('entity-name', 'string', 'AuditEvent-entity-name', 'AuditEvent.entity.name'),
  r4('entity-type', 'token', 'AuditEvent-entity-type', 'AuditEvent.entity.type'),
  r4('entity-role', 'token', 'AuditEvent-entity-role', 'AuditEvent.entity.role'),
  profiled(
    'entity-id',
    'token',
    AUDIT_EVENT_ENTITY_ID_DEFINITION,
    'AuditEvent.entity.what.identifier',
    { aliases: ['entity.identifier'] },
  ),
  r4('source', 'reference', 'AuditEvent-source', 'AuditEvent.source.observer', {
    targets: AGENT_TARGETS,
    chains: SOURCE_CHAINS,
  }),
  r4('type', 'token', 'AuditEvent-type', 'AuditEvent.type'),
  r4('subtype', 'token', 'AuditEvent-subtype', 'AuditEvent.subtype'),
  r4('outcome', 'token', 'AuditEvent-outcome', 'AuditEvent.outcome'),
  r4('action', 'token', 'AuditEvent-action', 'AuditEvent.action'),
  r4('address', 'string', 'AuditEvent-address', 'AuditEvent.agent.network.address'),
  r4('altid', 'token', 'AuditEvent-altid', 'AuditEvent.agent.altId'),
  r4('policy', 'uri', 'AuditEvent-policy', 'AuditEvent.agent.policy'),
  r4('site', 'token', 'AuditEvent-site', 'AuditEvent.source.site'),
  profiled(
    'purpose-of-use',
    'token',
    AUDIT_EVENT_PURPOSE_DEFINITION,
    'AuditEvent.agent.purposeOfUse | AuditEvent.purposeOfEvent',
  ),
];
