import { fhirError } from '@dmp/errors';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const JSON_FORMATS = new Set([
  'json',
  'application/json',
  'application/fhir+json',
  'application/json+fhir',
]);
const ACCEPTABLE_RANGES = ['*/*', 'application/*', ...JSON_FORMATS];

/**
 * Checks that the client can take FHIR JSON, from `_format` (which wins) or `Accept`. Only JSON
 * is served; asking for XML or anything else only is 406.
 */
export function assertAcceptsFhirJson(format: string | null, accept: string | undefined): void {
  if (format !== null) {
    if (!JSON_FORMATS.has(format.split(';')[0]?.trim().toLowerCase() ?? '')) {
      throw fhirError('DMP-HTTP-NOT-ACCEPTABLE', 'Only JSON is served (_format)', '_format');
    }
    return;
  }
  if (accept === undefined || accept.trim() === '') return;
  const ranges = accept.split(',').map((range) => range.split(';')[0]?.trim().toLowerCase() ?? '');
  if (!ranges.some((range) => ACCEPTABLE_RANGES.includes(range))) {
    throw fhirError('DMP-HTTP-NOT-ACCEPTABLE', 'Only application/fhir+json is served');
  }
}
