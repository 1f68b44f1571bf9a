import { hasScope, scopeInsufficientError, type Actor, type Interaction } from '@dmp/auth';
import { isFhirError } from '@dmp/errors';
import { INS_NIR_SYSTEM } from '@dmp/fhir';
import { sameIns, type PatientIns } from '../domain/patient-ins';
import type {
  AccessDecider,
  AccessDecision,
  AccessRequest,
  DocumentInteraction,
} from './access-decider';
import { resolvePatient, type PatientLookup } from './patient-resolution';

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
 * `Patient/<id>` of the given table (also searched by conditional references). The product always decides through the consent service.
 */
export function createScopeAccessDecider(
  patients: Readonly<Record<string, string>> = {},
): AccessDecider {
  const insOf = (value: string): PatientIns => ({ system: INS_NIR_SYSTEM, value });
  const lookup: PatientLookup = {
    byId: (id) => {
      const ins = patients[id];
      return Promise.resolve(ins === undefined ? undefined : insOf(ins));
    },
    byIdentifiers: (identifiers) =>
      Promise.resolve(
        Object.entries(patients)
          .filter(([, ins]) => identifiers.some((i) => sameIns(i, insOf(ins))))
          .map(([id, ins]) => ({ id, ins: insOf(ins) })),
      ),
  };
  return {
    async decide(actor, request): Promise<AccessDecision> {
      const refused = scopeRefusal(actor, request);
      if (refused) return refused;
      try {
        const patient = await resolvePatient(request.patient, lookup);
        return {
          permit: true,
          patient: patient.ins,
          ...(patient.reference ? { patientReference: patient.reference } : {}),
          filters: [],
        };
      } catch (error) {
        if (isFhirError(error)) return { permit: false, error, reasons: [error.code] };
        throw error;
      }
    },
  };
}
