import type { SearchParameterDefinition } from '../search-parameter';
import { PATIENT_CHAINS } from './chain-targets';
import { commonParameters, r4 } from './define';

export const CONSENT_PARAMETERS: readonly SearchParameterDefinition[] = [
  ...commonParameters('Consent'),
  r4('patient', 'reference', 'clinical-patient', 'Consent.patient', {
    targets: ['Patient'],
    chains: PATIENT_CHAINS,
  }),
  r4('status', 'token', 'Consent-status', 'Consent.status'),
  r4('scope', 'token', 'Consent-scope', 'Consent.scope'),
  r4('category', 'token', 'Consent-category', 'Consent.category'),
  r4('date', 'date', 'clinical-date', 'Consent.dateTime', { sortable: true }),
  r4('identifier', 'token', 'clinical-identifier', 'Consent.identifier'),
  r4('actor', 'reference', 'Consent-actor', 'Consent.provision.actor.reference', {
    targets: [
      'Practitioner',
      'Group',
      'Organization',
      'CareTeam',
      'Device',
      'Patient',
      'PractitionerRole',
      'RelatedPerson',
    ],
  }),
  r4('action', 'token', 'Consent-action', 'Consent.provision.action'),
  r4('purpose', 'token', 'Consent-purpose', 'Consent.provision.purpose'),
  r4('period', 'date', 'Consent-period', 'Consent.provision.period', { sortable: true }),
  r4('security-label', 'token', 'Consent-security-label', 'Consent.provision.securityLabel'),
  r4('source-reference', 'reference', 'Consent-source-reference', 'Consent.source', {
    targets: ['Consent', 'Contract', 'QuestionnaireResponse', 'DocumentReference'],
  }),
  // Any resource type may be the data; no target list so that bare ids keep an unknown type.
  r4('data', 'reference', 'Consent-data', 'Consent.provision.data.reference'),
];
