import type { SearchParameterDefinition } from '../search-parameter';
import { r4 } from './define';

/** Parameters of referenced resources that chains may use (`patient.identifier`, `author.given`). */
export const PATIENT_IDENTIFIER = r4(
  'identifier',
  'token',
  'Patient-identifier',
  'Patient.identifier',
);
export const PATIENT_GIVEN = r4('given', 'string', 'individual-given', 'Patient.name.given');
export const PATIENT_FAMILY = r4('family', 'string', 'individual-family', 'Patient.name.family');
export const PRACTITIONER_GIVEN = r4(
  'given',
  'string',
  'individual-given',
  'Practitioner.name.given',
);
export const PRACTITIONER_FAMILY = r4(
  'family',
  'string',
  'individual-family',
  'Practitioner.name.family',
);
export const PRACTITIONER_IDENTIFIER = r4(
  'identifier',
  'token',
  'Practitioner-identifier',
  'Practitioner.identifier',
);

/** `patient.identifier=system|value`. */
export const PATIENT_CHAINS: Record<string, SearchParameterDefinition[]> = {
  Patient: [PATIENT_IDENTIFIER],
};

/** `author.given=…`, `author.family=…` (the author person). */
export const PERSON_NAME_CHAINS: Record<string, SearchParameterDefinition[]> = {
  Practitioner: [PRACTITIONER_GIVEN, PRACTITIONER_FAMILY],
};
