import type { Actor, ActorKind } from './actor';
import { scopeInsufficientError } from './auth-errors';

/** FHIR interactions as SMART v2 letters: create, read, update, delete, search. */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

/** One parsed SMART scope: context, resource type (or `*`) and the interactions it grants. */
export interface ScopeGrant {
  context: 'patient' | 'user' | 'system';
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
  /**
   * SMART v2 granular `?query` suffix (e.g. `?category=…`). Kept but NOT enforced yet: the grant
   * covers the whole resource type. Callers needing the restriction must check it themselves.
   */
  query?: string;
}

type Permission = readonly [resourceType: string, interactions: string];

/** IUA transaction scopes accepted as aliases (SPEC F.2 mapping). */
export const IUA_TRANSACTION_SCOPES: Readonly<Record<string, readonly Permission[]>> = {
  'ITI-65': [
    ['List', 'c'],
    ['DocumentReference', 'cu'],
    ['Binary', 'c'],
  ],
  'ITI-66': [['List', 'rs']],
  'ITI-67': [['DocumentReference', 'rs']],
  'ITI-68': [['Binary', 'r']],
  'ITI-105': [
    ['DocumentReference', 'c'],
    ['Binary', 'c'],
  ],
  'ITI-20': [['AuditEvent', 'c']],
  'ITI-81': [['AuditEvent', 'rs']],
};

const SMART_V1: Readonly<Record<string, string>> = { read: 'rs', write: 'cud', '*': 'cruds' };
const SCOPE = /^(patient|user|system)\/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?$/;

/** True when `letters` is a non-empty, in-order subset of `cruds` (SMART v2 rule). */
function isCrudsSubset(letters: string): boolean {
  let at = 0;
  for (const letter of letters) {
    const index = 'cruds'.indexOf(letter, at);
    if (index < 0) return false;
    at = index + 1;
  }
  return letters.length > 0;
}

/** Parses a SMART v1 or v2 resource scope; returns undefined for anything else. */
export function parseSmartScope(scope: string): ScopeGrant | undefined {
  const match = SCOPE.exec(scope);
  if (!match) return undefined;
  const [, context, resourceType, permissions, query] = match;
  if (context === undefined || resourceType === undefined || permissions === undefined) {
    return undefined;
  }
  const letters = SMART_V1[permissions] ?? (isCrudsSubset(permissions) ? permissions : undefined);
  if (letters === undefined) return undefined;
  return {
    context: context as ScopeGrant['context'],
    resourceType,
    interactions: new Set(letters as Iterable<Interaction>),
    ...(query !== undefined ? { query: query.slice(1) } : {}),
  };
}

function smartGrants(scopes: readonly string[], resourceType: string, i: Interaction): boolean {
  return scopes.some((scope) => {
    const grant = parseSmartScope(scope);
    return (
      grant !== undefined &&
      (grant.resourceType === '*' || grant.resourceType === resourceType) &&
      grant.interactions.has(i)
    );
  });
}

function transactionGrants(
  scopes: readonly string[],
  resourceType: string,
  i: Interaction,
  transaction: string | undefined,
): boolean {
  return scopes.some((scope) => {
    const permissions = IUA_TRANSACTION_SCOPES[scope];
    if (!permissions || (transaction !== undefined && transaction !== scope)) return false;
    return permissions.some(([type, letters]) => type === resourceType && letters.includes(i));
  });
}

/**
 * Does the token grant `interaction` on `resourceType`? SMART scopes (v2 `.cruds` letters, v1
 * `.read`/`.write`/`.*`) match in any context; scope context vs. actor (e.g. `patient/` limits
 * access to `actor.patient`) is the access decision's job. An IUA transaction scope (`ITI-65`…)
 * grants its mapped permissions; when `transaction` is given, only that transaction's scope
 * counts (a token scoped `ITI-105` cannot create a DocumentReference through ITI-65).
 */
export function hasScope(
  actor: Pick<Actor, 'scopes'>,
  resourceType: string,
  interaction: Interaction,
  transaction?: string,
): boolean {
  return (
    smartGrants(actor.scopes, resourceType, interaction) ||
    transactionGrants(actor.scopes, resourceType, interaction, transaction)
  );
}

const CONTEXT_FOR_KIND: Readonly<Record<ActorKind, string>> = {
  practitioner: 'user',
  patient: 'patient',
  system: 'system',
  auditor: 'system',
};

/** Like {@link hasScope}, but throws 403 DMP-AUTH-SCOPE-INSUFFICIENT naming the scope needed. */
export function requireScope(
  actor: Pick<Actor, 'scopes' | 'kind'>,
  resourceType: string,
  interaction: Interaction,
  transaction?: string,
): void {
  if (hasScope(actor, resourceType, interaction, transaction)) return;
  const needed = `${CONTEXT_FOR_KIND[actor.kind]}/${resourceType}.${interaction}`;
  const alias =
    transaction !== undefined && IUA_TRANSACTION_SCOPES[transaction] ? ` or ${transaction}` : '';
  throw scopeInsufficientError(`This interaction needs scope ${needed}${alias}.`, needed);
}
