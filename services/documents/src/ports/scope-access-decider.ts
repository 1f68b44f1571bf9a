import { hasScope, scopeInsufficientError, type Actor, type Interaction } from '@dmp/auth';
import type {
  AccessDecider,
  AccessDecision,
  AccessRequest,
  DocumentInteraction,
} from './access-decider';

const LETTER: Readonly<Record<DocumentInteraction, Interaction>> = {
  provide: 'c',
  publish: 'c',
  search: 's',
  read: 'r',
  retrieve: 'r',
  update: 'u',
  delete: 'u',
};

/**
 * In-process decider: permits whatever the token's scopes (SMART or IUA `ITI-xx`) grant, with no
 * search obligations. Consent rules arrive with the consent service behind the same port.
 */
export function createScopeAccessDecider(): AccessDecider {
  return {
    decide(actor: Actor, request: AccessRequest): Promise<AccessDecision> {
      const letter = LETTER[request.interaction];
      const granted = hasScope(actor, request.resourceType, letter, request.transaction);
      if (granted) return Promise.resolve({ permit: true, filters: [] });
      const alias = request.transaction ? ` or ${request.transaction}` : '';
      return Promise.resolve({
        permit: false,
        error: scopeInsufficientError(
          `The token does not grant ${request.resourceType}.${letter}${alias}`,
          `${request.resourceType}.${letter}`,
        ),
      });
    },
  };
}
