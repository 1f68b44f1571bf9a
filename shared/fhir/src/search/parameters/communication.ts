import type { SearchParameterDefinition } from '../search-parameter';
import { PATIENT_CHAINS } from './chain-targets';
import { commonParameters, r4, whereReferenceIs } from './define';

export const COMMUNICATION_PARAMETERS: readonly SearchParameterDefinition[] = [
  ...commonParameters('Communication'),
  r4(
    'patient',
    'reference',
    'Communication-patient',
    whereReferenceIs('Communication.subject', 'Patient'),
    { targets: ['Patient'], chains: PATIENT_CHAINS },
  ),
  r4('subject', 'reference', 'Communication-subject', 'Communication.subject', {
    targets: ['Group', 'Patient'],
    chains: PATIENT_CHAINS,
  }),
  r4('recipient', 'reference', 'Communication-recipient', 'Communication.recipient', {
    targets: [
      'Practitioner',
      'Group',
      'Organization',
      'CareTeam',
      'Device',
      'Patient',
      'HealthcareService',
      'PractitionerRole',
      'RelatedPerson',
    ],
  }),
  r4('sent', 'date', 'Communication-sent', 'Communication.sent', { sortable: true }),
  r4('status', 'token', 'Communication-status', 'Communication.status'),
  r4('category', 'token', 'Communication-category', 'Communication.category'),
];
