/** Code systems and codes the audit service recognizes (SPEC D.3, D.5). */
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/** TRE_R248 "mode d'accès" (normal, bris_de_glace, centre_15). */
export const ACCESS_MODE_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.248';
export const INS_SYSTEMS = ['urn:oid:1.2.250.1.213.1.4.8', 'urn:oid:1.2.250.1.213.1.4.10'];
/** idNat_PS. */
export const IDNAT_PS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
/** G15 professions. */
export const PROFESSION_SYSTEM = 'urn:oid:1.2.250.1.71.1.2.7';
export const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
export const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

/** Our local subtypes (CodeSystem of the DMP audit service). */
export const DMP_AUDIT_SUBTYPE = 'https://dmp.example.fr/fhir/CodeSystem/audit-subtype';
/** Subtype of the event an auditor appends when reviewing a break-glass access. */
export const BREAK_GLASS_REVIEW = 'break-glass-review';
/** Subtype of the event recording a read of the audit trail itself (CH:ATC's ATC_LOG_READ). */
export const AUDIT_LOG_READ = 'audit-log-read';

/** How the access was made, from the purposes of use of the event and its agents. */
export type AccessHow = 'normal' | 'bris_de_glace' | 'centre_15';
