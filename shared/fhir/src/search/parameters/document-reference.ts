import type { SearchParameterDefinition } from '../search-parameter';
import { PATIENT_CHAINS, PERSON_NAME_CHAINS } from './chain-targets';
import {
  MHD_SEARCH_PARAMETER_BASE,
  PDSM_IS_ARCHIVED_EXTENSION_URL,
  PDSM_SEARCH_PARAMETER_BASE,
  commonParameters,
  DMP_SEARCH_PARAMETER_BASE,
  patientKeyParameter,
  profiled,
  r4,
  whereReferenceIs,
} from './define';

const DR = 'DocumentReference';

/** ITI-67 (SPEC A.8) plus the PDSm additions (SPEC B.5) and the other R4 core parameters. */
export const DOCUMENT_REFERENCE_PARAMETERS: readonly SearchParameterDefinition[] = [
  ...commonParameters(DR),
  r4('patient', 'reference', 'clinical-patient', whereReferenceIs(`${DR}.subject`, 'Patient'), {
    targets: ['Patient'],
    chains: PATIENT_CHAINS,
  }),
  r4('subject', 'reference', 'DocumentReference-subject', `${DR}.subject`, {
    targets: ['Practitioner', 'Group', 'Device', 'Patient'],
    chains: PATIENT_CHAINS,
  }),
  r4('status', 'token', 'DocumentReference-status', `${DR}.status`),
  r4('identifier', 'token', 'clinical-identifier', `${DR}.masterIdentifier | ${DR}.identifier`),
  profiled(
    'creation',
    'date',
    `${MHD_SEARCH_PARAMETER_BASE}DocumentReference-Creation`,
    `${DR}.content.attachment.creation`,
    { sortable: true },
  ),
  r4('date', 'date', 'DocumentReference-date', `${DR}.date`, { sortable: true }),
  r4('author', 'reference', 'DocumentReference-author', `${DR}.author`, {
    targets: [
      'Practitioner',
      'Organization',
      'Device',
      'Patient',
      'PractitionerRole',
      'RelatedPerson',
    ],
    chains: PERSON_NAME_CHAINS,
  }),
  r4('category', 'token', 'DocumentReference-category', `${DR}.category`),
  r4('type', 'token', 'clinical-type', `${DR}.type`),
  r4('setting', 'token', 'DocumentReference-setting', `${DR}.context.practiceSetting`),
  r4('facility', 'token', 'DocumentReference-facility', `${DR}.context.facilityType`),
  r4('period', 'date', 'DocumentReference-period', `${DR}.context.period`, { sortable: true }),
  r4('event', 'token', 'DocumentReference-event', `${DR}.context.event`),
  r4('security-label', 'token', 'DocumentReference-security-label', `${DR}.securityLabel`),
  r4('format', 'token', 'DocumentReference-format', `${DR}.content.format`),
  // Any resource type may be related; no target list so that bare ids keep an unknown type.
  r4('related', 'reference', 'DocumentReference-related', `${DR}.context.related`),
  r4('relatesto', 'reference', 'DocumentReference-relatesto', `${DR}.relatesTo.target`, {
    targets: ['DocumentReference'],
    aliases: ['relatesTo'],
  }),
  r4('relation', 'token', 'DocumentReference-relation', `${DR}.relatesTo.code`),
  r4(
    'contenttype',
    'token',
    'DocumentReference-contenttype',
    `${DR}.content.attachment.contentType`,
  ),
  r4('language', 'token', 'DocumentReference-language', `${DR}.content.attachment.language`),
  r4('description', 'string', 'DocumentReference-description', `${DR}.description`, {
    sortable: true,
  }),
  profiled(
    'isArchived',
    'token',
    `${PDSM_SEARCH_PARAMETER_BASE}PDSm-isArchived`,
    `${DR}.extension.where(url='${PDSM_IS_ARCHIVED_EXTENSION_URL}').value`,
    { aliases: ['PDSm_isArchived'] },
  ),
  profiled(
    'period-start',
    'date',
    `${PDSM_SEARCH_PARAMETER_BASE}PDSm-DocumentReference-period-start`,
    `${DR}.context.period.start`,
    { aliases: ['PDSm_DocumentReference_period-start'], sortable: true },
  ),
  profiled(
    'period-end',
    'date',
    `${PDSM_SEARCH_PARAMETER_BASE}PDSm-DocumentReference-period-end`,
    `${DR}.context.period.end`,
    { aliases: ['PDSm_DocumentReference_period-end'], sortable: true },
  ),
  patientKeyParameter(DR),
  // Who submitted the document (`meta.source` = `urn:dmp:submitter:<kind>:<id>`), so that a
  // hospital's software finds its own submissions (TD3.1b) and nothing else.
  profiled(
    'dmp-submitter',
    'uri',
    `${DMP_SEARCH_PARAMETER_BASE}dmp-submitter`,
    `${DR}.meta.source`,
    {
      internal: true,
    },
  ),
];
