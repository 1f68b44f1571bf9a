import { hasScope, scopeInsufficientError, type Actor, type Interaction } from '@dmp/auth';
import { isFhirError } from '@dmp/errors';
import type { PatientIns } from '../domain/patient-ins';
import type {
  AccessDecider,
  AccessDecision,
  AccessRequest,
  DocumentInteraction,
} from './access-decider';
import { resolvePatient } from './patient-resolution';

const LETTER: Readonly<Record<DocumentInteraction, Interaction>> = {
  provide: 'c',
  publish: 'c',
  search: 's',
  read: 'r',
  retrieve: 'r',
  update: 'u',
  // Part of a submission: the submission's own scope (ITI-65 / ITI-105) covers them.
  relate: 'c',
  replace: 'c',
};

/** The scope check alone: every decider asks it first. */
export function scopeRefusal(actor: Actor, request: AccessRequest): AccessDecision | undefined {
  const letter = LETTER[request.interaction];
  if (hasScope(actor, request.resourceType, letter, request.transaction)) return undefined;
  const alias = request.transaction ? ` or ${request.transaction}` : '';
  return {
    permit: false,
    reasons: ['SCOPE_INSUFFICIENT'],
    error: scopeInsufficientError(
      `The token does not grant ${request.resourceType}.${letter}${alias}`,
      `${request.resourceType}.${letter}`,
    ),
  };
}

/**
 * The in-process decider of component tests and local experiments: permits what the token's
 * scopes (SMART or IUA `ITI-xx`) grant, with no obligations, for patients named by INS or by a
 * `Patient/<id>` of the given table. The product always decides through the consent service.
 */
export function createScopeAccessDecider(
  patients: Readonly<Record<string, string>> = {},
): AccessDecider {
  const lookup = (id: string): Promise<PatientIns | undefined> => {
    const ins = patients[id];
    return Promise.resolve(
      ins === undefined ? undefined : { system: 'urn:oid:1.2.250.1.213.1.4.8', value: ins },
    );
  };
  return {
    async decide(actor, request): Promise<AccessDecision> {
      const refused = scopeRefusal(actor, request);
      if (refused) return refused;
      try {
        return {
          permit: true,
          patient: await resolvePatient(request.patient, lookup),
          filters: [],
        };
      } catch (error) {
        if (isFhirError(error)) return { permit: false, error, reasons: [error.code] };
        throw error;
      }
    },
  };
}
