import type { SearchParameterDefinition } from '../search-parameter';
import {
  PATIENT_CHAINS,
  PATIENT_FAMILY,
  PATIENT_GIVEN,
  PRACTITIONER_FAMILY,
  PRACTITIONER_GIVEN,
} from './chain-targets';
import {
  MHD_SEARCH_PARAMETER_BASE,
  PDSM_IS_ARCHIVED_EXTENSION_URL,
  PDSM_SEARCH_PARAMETER_BASE,
  commonParameters,
  patientKeyParameter,
  profiled,
  r4,
  whereReferenceIs,
} from './define';

const AUTHOR_ORG_EXTENSION_URL =
  'https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-authorOrg';

/** ITI-66 (SPEC A.7) plus the PDSm additions (SPEC B.5). */
export const LIST_PARAMETERS: readonly SearchParameterDefinition[] = [
  ...commonParameters('List'),
  r4('patient', 'reference', 'clinical-patient', whereReferenceIs('List.subject', 'Patient'), {
    targets: ['Patient'],
    chains: PATIENT_CHAINS,
  }),
  r4('subject', 'reference', 'List-subject', 'List.subject', {
    targets: ['Group', 'Device', 'Patient', 'Location'],
    chains: PATIENT_CHAINS,
  }),
  r4('status', 'token', 'List-status', 'List.status'),
  r4('code', 'token', 'clinical-code', 'List.code'),
  r4('date', 'date', 'clinical-date', 'List.date', { sortable: true }),
  r4('identifier', 'token', 'clinical-identifier', 'List.identifier'),
  // `source.given` / `source.family`: the author person (Practitioner by default, the first
  // declared chain target; PDSm's PatientAsSource with `source:Patient.given`).
  r4('source', 'reference', 'List-source', 'List.source', {
    targets: ['Practitioner', 'Device', 'Patient', 'PractitionerRole'],
    chains: {
      Practitioner: [PRACTITIONER_GIVEN, PRACTITIONER_FAMILY],
      Patient: [PATIENT_GIVEN, PATIENT_FAMILY],
    },
  }),
  r4('title', 'string', 'List-title', 'List.title', { sortable: true }),
  profiled(
    'designationType',
    'token',
    `${MHD_SEARCH_PARAMETER_BASE}List-DesignationType`,
    "(extension('https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-designationType').value.ofType(CodeableConcept))",
    { aliases: ['DesignationType'] },
  ),
  profiled(
    'sourceId',
    'token',
    `${MHD_SEARCH_PARAMETER_BASE}List-SourceId`,
    "(extension('https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId').value.ofType(Identifier))",
    { aliases: ['SourceId'] },
  ),
  profiled(
    'isArchived',
    'token',
    `${PDSM_SEARCH_PARAMETER_BASE}PDSm-isArchived`,
    `List.extension.where(url='${PDSM_IS_ARCHIVED_EXTENSION_URL}').value`,
    { aliases: ['PDSm_isArchived'] },
  ),
  profiled(
    'authorOrg',
    'reference',
    `${PDSM_SEARCH_PARAMETER_BASE}PDSm-List-authorOrg`,
    `List.extension.where(url='${AUTHOR_ORG_EXTENSION_URL}').value`,
    { targets: ['Organization'], aliases: ['PDSm_authorOrg'] },
  ),
  patientKeyParameter('List'),
];
