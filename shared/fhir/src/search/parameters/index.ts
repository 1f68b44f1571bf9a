import type { SearchParameterDefinition } from '../search-parameter';
import { AUDIT_EVENT_PARAMETERS } from './audit-event';
import { BINARY_PARAMETERS } from './binary';
import { COMMUNICATION_PARAMETERS } from './communication';
import { CONSENT_PARAMETERS } from './consent';
import { DOCUMENT_REFERENCE_PARAMETERS } from './document-reference';
import { LIST_PARAMETERS } from './list';
import { PATIENT_PARAMETERS } from './patient';

export * from './define';
export * from './chain-targets';
export { AUDIT_EVENT_ENTITY_ID_DEFINITION } from './audit-event';

/** The search parameters each served resource type supports, `_id` and `_lastUpdated` included. */
export const SEARCH_PARAMETERS: Readonly<Record<string, readonly SearchParameterDefinition[]>> =
  Object.freeze({
    DocumentReference: DOCUMENT_REFERENCE_PARAMETERS,
    List: LIST_PARAMETERS,
    Patient: PATIENT_PARAMETERS,
    Consent: CONSENT_PARAMETERS,
    AuditEvent: AUDIT_EVENT_PARAMETERS,
    Binary: BINARY_PARAMETERS,
    Communication: COMMUNICATION_PARAMETERS,
  });

/** The parameters of `resourceType`; throws a TypeError for a type this registry does not know. */
export function searchParametersFor(resourceType: string): readonly SearchParameterDefinition[] {
  if (!Object.prototype.hasOwnProperty.call(SEARCH_PARAMETERS, resourceType)) {
    throw new TypeError(`No search parameters registered for resource type '${resourceType}'`);
  }
  const parameters = SEARCH_PARAMETERS[resourceType];
  if (!parameters) throw new TypeError(`No search parameters for '${resourceType}'`);
  return parameters;
}

/** Finds a parameter by code or alias (exact, case-sensitive). */
export function findSearchParameter(
  parameters: readonly SearchParameterDefinition[],
  name: string,
): SearchParameterDefinition | undefined {
  return parameters.find((p) => p.code === name || (p.aliases ?? []).includes(name));
}
