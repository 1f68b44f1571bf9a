/** Codes and systems the consent service reads and writes (SPEC B.8, E.3, E.4). */

/** TRE_A07-StatutVisibiliteDocument: the DMP visibility flags carried in securityLabel. */
export const VISIBILITY_SYSTEM =
  'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument';
export const MASKED_FROM_PROFESSIONALS = 'MASQUE_PS';
export const INVISIBLE_TO_PATIENT = 'INVISIBLE_PATIENT';
export const INVISIBLE_TO_REPRESENTATIVES = 'INVISIBLE_REPRESENTANTS_LEGAUX';

/** idNat_PS (national professional identifier) system. */
export const IDNAT_PS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const PARTICIPATION_TYPE_SYSTEM =
  'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const ROLE_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
export const LOINC_SYSTEM = 'http://loinc.org';

/** Our own code system for DMP consent concepts that have no standard code. */
export const DMP_CONSENT_CODES = 'https://dmp.example.fr/fhir/CodeSystem/dmp-consent';
/** Identifier system of the one DMP Consent of a patient (value = the patient's INS). */
export const DMP_CONSENT_IDENTIFIER = 'https://dmp.example.fr/fhir/NamingSystem/dmp-consent';
/** Policy URI of the DMP consent. */
export const DMP_POLICY_URI = 'https://dmp.example.fr/fhir/policy/dmp-access';
export const EXTENSION_BASE = 'https://dmp.example.fr/fhir/StructureDefinition';

/**
 * What a caller may ask to do with a patient's DMP or one of its documents. `update-metadata`
 * comes with the changes it makes (see `document-changes.ts`), `replace` names the replaced one.
 */
export const ACTIONS = ['read', 'search', 'create', 'replace', 'update-metadata'] as const;
export type ActionName = (typeof ACTIONS)[number];

export function isAction(value: unknown): value is ActionName {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Reads: governed by access authorizations. Everything else feeds or manages the DMP. */
export function isReadAction(action: ActionName): boolean {
  return action === 'read' || action === 'search';
}
