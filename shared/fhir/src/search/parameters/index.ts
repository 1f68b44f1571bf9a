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

/**
 * The search parameters each served resource type indexes, `_id` and `_lastUpdated` included,
 * and the internal ones (see {@link searchParametersFor} for what clients may use).
 */
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

const PUBLIC_PARAMETERS = new Map(
  Object.entries(SEARCH_PARAMETERS).map(([type, parameters]) => [
    type,
    parameters.filter((p) => p.internal !== true),
  ]),
);

/**
 * The parameters clients may use on `resourceType` (the internal ones left out); throws a
 * TypeError for a type this registry does not know. Stores index {@link SEARCH_PARAMETERS}.
 */
export function searchParametersFor(resourceType: string): readonly SearchParameterDefinition[] {
  const parameters = PUBLIC_PARAMETERS.get(resourceType);
  if (!parameters) {
    throw new TypeError(`No search parameters registered for resource type '${resourceType}'`);
  }
  return parameters;
}

/** Finds a parameter by code or alias (exact, case-sensitive). */
export function findSearchParameter(
  parameters: readonly SearchParameterDefinition[],
  name: string,
): SearchParameterDefinition | undefined {
  return parameters.find((p) => p.code === name || (p.aliases ?? []).includes(name));
}
