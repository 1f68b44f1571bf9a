/** Code systems every service's AuditEvents use (BALP, DICOM, HL7 terminology, French ids). */
export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
export const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
export const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const SECURITY_SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
/** idNat_PS, the national identifier of a health professional. */
export const IDNAT_PS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';

/** Outbox topic of the AuditEvents a service ships to the audit service. */
export const AUDIT_TOPIC = 'audit';
/** Outbox topic where the shipper parks events the audit service refused (never shipped). */
export const AUDIT_DEAD_LETTER_TOPIC = 'audit-dead-letter';
