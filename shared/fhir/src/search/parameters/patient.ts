import type { SearchParameterDefinition } from '../search-parameter';
import { commonParameters, r4 } from './define';

export const PATIENT_PARAMETERS: readonly SearchParameterDefinition[] = [
  ...commonParameters('Patient'),
  r4('identifier', 'token', 'Patient-identifier', 'Patient.identifier'),
  r4('family', 'string', 'individual-family', 'Patient.name.family', { sortable: true }),
  r4('given', 'string', 'individual-given', 'Patient.name.given', { sortable: true }),
  r4('name', 'string', 'Patient-name', 'Patient.name', { sortable: true }),
  r4('birthdate', 'date', 'individual-birthdate', 'Patient.birthDate', { sortable: true }),
  r4('gender', 'token', 'individual-gender', 'Patient.gender'),
  r4('active', 'token', 'Patient-active', 'Patient.active'),
];
