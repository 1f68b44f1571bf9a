import { PDSM_IS_ARCHIVED_EXTENSION_URL } from '@dmp/fhir';

/** Canonical URLs of the IHE MHD 4.2.x and ANS PDSm 3.1.1 artifacts this service uses. */
export const MHD_SD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/';
export const PDSM_SD = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/';

export const BUNDLE_PROFILES = {
  minimal: `${MHD_SD}IHE.MHD.Minimal.ProvideBundle`,
  comprehensive: `${MHD_SD}IHE.MHD.Comprehensive.ProvideBundle`,
  uncontained: `${MHD_SD}IHE.MHD.UnContained.Comprehensive.ProvideBundle`,
  pdsm: `${PDSM_SD}pdsm-comprehensive-provide-document-bundle`,
} as const;

/** The metadata level a submission claims (from `Bundle.meta.profile`). */
export type MetadataLevel = keyof typeof BUNDLE_PROFILES;

/** ITI-105: the DocumentReference profiles of a simplified publish (inline `attachment.data`). */
export const SIMPLIFIED_PUBLISH_PROFILES = {
  mhd: `${MHD_SD}IHE.MHD.SimplifiedPublish.DocumentReference`,
  pdsm: `${PDSM_SD}pdsm-simplified-publish`,
} as const;

export const DOCUMENT_REFERENCE_PROFILES = [
  `${MHD_SD}IHE.MHD.Minimal.DocumentReference`,
  `${MHD_SD}IHE.MHD.Comprehensive.DocumentReference`,
  `${MHD_SD}IHE.MHD.UnContained.Comprehensive.DocumentReference`,
  `${MHD_SD}IHE.MHD.SimplifiedPublish.DocumentReference`,
  `${PDSM_SD}pdsm-comprehensive-document-reference`,
  `${PDSM_SD}pdsm-simplified-publish`,
];
export const LIST_PROFILES = [
  `${MHD_SD}IHE.MHD.Minimal.SubmissionSet`,
  `${MHD_SD}IHE.MHD.Comprehensive.SubmissionSet`,
  `${MHD_SD}IHE.MHD.UnContained.Comprehensive.SubmissionSet`,
  `${MHD_SD}IHE.MHD.Minimal.Folder`,
  `${MHD_SD}IHE.MHD.Comprehensive.Folder`,
  `${PDSM_SD}pdsm-submissionset-comprehensive`,
  `${PDSM_SD}pdsm-folder-comprehensive`,
];

/** CapabilityStatements this server instantiates (MHD Recipient options, Responder, PDSm). */
export const INSTANTIATED_CAPABILITY_STATEMENTS = [
  'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentRecipient',
  'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentRecipient.Comprehensive',
  'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentRecipient.UnContained',
  'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentRecipient.Simplified',
  'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentRecipient.Fdoc',
  'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentResponder',
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/CapabilityStatement/PDSm-GestionnaireDePartageDeDocuments',
];

export const SOURCE_ID_URL = `${MHD_SD}ihe-sourceId`;
export const DESIGNATION_TYPE_URL = `${MHD_SD}ihe-designationType`;
export const IS_ARCHIVED_URL = PDSM_IS_ARCHIVED_EXTENSION_URL;
export const LIST_TYPES_SYSTEM = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes';
export const RFC3986_SYSTEM = 'urn:ietf:rfc:3986';

/**
 * System of the XDS error codes (ITI TF-3 Table 4.2.4.1-2) we put in
 * `OperationOutcome.issue.details.coding` next to our own code. MHD fixes no URI for them.
 */
export const XDS_ERROR_SYSTEM = 'urn:ihe:iti:xds:2017:errorCode';

/** Extension on `Binary.meta` that links the resource to its bytes in the blob store. */
export const BLOB_KEY_URL = 'https://dmp.example.fr/fhir/StructureDefinition/blob-key';

/** `meta.source` prefix recording who submitted a document (for the author-only delete rule). */
export const SUBMITTER_PREFIX = 'urn:dmp:submitter:';
