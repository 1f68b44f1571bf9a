import type { Actor } from '@dmp/auth';
import {
  AccessDecisionUnavailable,
  type AccessAction,
  type AccessClient,
  type EvaluationRequest,
  type EvaluationResource,
  type EvaluationResponse,
  type PatientRegistryClient,
  type RegistryPatient,
} from '@dmp/consent-client';
import { fhirError, isFhirError, type FhirError } from '@dmp/errors';
import { isInsSystem } from '@dmp/fhir';
import { documentFactsOf } from '../domain/document-facts';
import type { DecisionCache } from '../access/decision-cache';
import { obligationFilters } from '../domain/obligation-filters';
import { subjectIdOf } from '../domain/submitter';
import type { PatientIns } from '../domain/patient-ins';
import type {
  AccessDecider,
  AccessDecision,
  AccessRequest,
  DocumentInteraction,
} from './access-decider';
import { resolvePatient, type PatientLookup } from './patient-resolution';
import { scopeRefusal } from './scope-access-decider';

const ACTION: Readonly<Record<DocumentInteraction, AccessAction>> = {
  provide: 'create',
  publish: 'create',
  search: 'search',
  read: 'read',
  retrieve: 'read',
  update: 'update-metadata',
  relate: 'read',
  replace: 'replace',
};

export interface ConsentAccessDeciderOptions {
  /** The consent service's decision API (`POST /access/v1/evaluation`). */
  access: AccessClient;
  /** The consent service's patient registry (maps `Patient/…` to the INS). */
  patients: PatientRegistryClient;
  /**
   * Where reusable permits are kept (exact while the change feed is followed; see
   * `access/decision-cache.ts`); without one, every decision is asked.
   */
  cache?: DecisionCache;
}

/** The INS a registry patient carries (its first identifier of an INS system). */
function insOfRegistered(patient: RegistryPatient): PatientIns | undefined {
  const ins = patient.identifiers.find((identifier) => isInsSystem(identifier.system));
  return ins?.system ? { system: ins.system, value: ins.value } : undefined;
}

/**
 * `Patient/<id>` → INS through the registry (a Patient's INS never changes, so it is cached), and
 * the registry searched by INS for conditional references.
 */
function registryLookup(patients: PatientRegistryClient): PatientLookup {
  const cache = new Map<string, PatientIns>();
  const remember = (id: string, ins: PatientIns) => {
    if (cache.size >= 10_000) cache.clear();
    cache.set(id, ins);
  };
  return {
    async byId(id) {
      const known = cache.get(id);
      if (known) return known;
      const found = await patients.byId(id);
      const ins = found ? insOfRegistered(found) : undefined;
      if (ins) remember(id, ins);
      return ins;
    },
    async byIdentifiers(identifiers) {
      const found = await patients.byIdentifiers(identifiers);
      return found.flatMap((patient) => {
        const ins = insOfRegistered(patient);
        if (!ins) return [];
        remember(patient.id, ins);
        return [{ id: patient.id, ins }];
      });
    },
  };
}

function resourceOf(request: AccessRequest, patient: PatientIns): EvaluationResource {
  const ins = { system: patient.system, value: patient.value };
  if (!request.document) return { type: 'dmp', properties: { patient: ins } };
  const facts = documentFactsOf(request.document);
  return {
    type: 'DocumentReference',
    ...(request.document.id ? { id: request.document.id } : {}),
    properties: {
      patient: ins,
      status: facts.status,
      security_labels: facts.labels,
      authors: facts.authors,
      author_organizations: facts.authorOrganizations,
      ...(facts.classCode ? { class: facts.classCode } : {}),
      ...(facts.typeCode ? { type: facts.typeCode } : {}),
      ...(facts.submitter ? { submitter: facts.submitter } : {}),
      ...(facts.depositDate ? { deposit_date: facts.depositDate } : {}),
    },
  };
}

/** The AuthZEN question for one documents interaction, about the resolved patient. */
export function evaluationOf(
  actor: Actor,
  request: AccessRequest,
  patient: PatientIns,
): EvaluationRequest {
  const subjectId = subjectIdOf(actor);
  return {
    subject: {
      type: actor.kind,
      id: subjectId,
      properties: {
        ...(actor.profession ? { profession: actor.profession } : {}),
        ...(actor.organizationId ? { organization_id: actor.organizationId } : {}),
        ...(actor.patient?.value
          ? {
              patient: {
                ...(actor.patient.system ? { system: actor.patient.system } : {}),
                value: actor.patient.value,
              },
            }
          : {}),
      },
    },
    action: {
      name: ACTION[request.interaction],
      ...(request.changes ? { properties: { changes: request.changes } } : {}),
    },
    resource: resourceOf(request, patient),
    context: {
      access_mode: actor.accessMode,
      ...(actor.accessReason ? { access_reason: actor.accessReason } : {}),
      ...(actor.attestation ? { attestation: actor.attestation } : {}),
    },
  };
}

function refusal(answer: EvaluationResponse, request: AccessRequest): FhirError {
  const reasons = answer.context.reasons;
  const text = reasons.map((r) => `${r.code}: ${r.text}`).join('; ') || 'Access denied';
  if (reasons.some((r) => r.code === 'DMP_NOT_FOUND')) {
    return fhirError('DMP-PATIENT-NO-DMP', text, 'patient');
  }
  // PDSm4DMP: a deletion not asked by the document's author is a 403 of its own.
  if (
    request.changes?.includes('status:entered-in-error') &&
    reasons.some((r) => r.code === 'ONLY_AUTHOR')
  ) {
    return fhirError('DMP-PDSM-DELETE-NOT-AUTHOR', text, 'DocumentReference.status');
  }
  return fhirError('DMP-CONSENT-DENIED', text);
}

/** A permit the enforcement point may keep: consent says so, and nothing exceptional is in it. */
function isReusable(answer: EvaluationResponse): boolean {
  const obligations = answer.context.obligations;
  return (
    answer.decision &&
    answer.context.reuse !== undefined &&
    obligations?.break_glass === undefined &&
    (obligations?.audit_as ?? 'normal') === 'normal'
  );
}

/**
 * Consent's answer to one question: the one kept for exactly this question when the cache may
 * serve it, else asked (and kept when reusable). The key is everything consent is told (the
 * evaluation: subject, mode, attestation, patient, action and changes, the document's facts),
 * with the token's kind and scopes. Emergency modes are never looked up nor kept.
 */
async function answerOf(
  options: ConsentAccessDeciderOptions,
  actor: Actor,
  evaluation: EvaluationRequest,
  patient: PatientIns,
): Promise<{ answer: EvaluationResponse; reused: boolean }> {
  const { cache } = options;
  if (!cache || actor.accessMode !== 'normal') {
    return { answer: await options.access.evaluate(evaluation), reused: false };
  }
  const key = JSON.stringify([actor.kind, [...actor.scopes].sort(), evaluation]);
  const kept = cache.recall(key);
  if (kept) return { answer: kept, reused: true };
  const ticket = cache.ticket();
  const answer = await options.access.evaluate(evaluation);
  if (isReusable(answer)) cache.keep(ticket, key, patient.value, answer);
  return { answer, reused: false };
}

/**
 * The documents service's decision point is the consent service, over HTTP: the token scopes
 * first, the patient resolved to its INS (registry), then one AuthZEN evaluation, or the
 * permit kept for exactly the same question (`answerOf`). A permit's obligations become search
 * predicates; a deny is a 403 (422 when the patient has no open DMP); no answer is a 503 (fail
 * closed, `DMP-ACCESS-DECISION-UNAVAILABLE`).
 */
export function createConsentAccessDecider(options: ConsentAccessDeciderOptions): AccessDecider {
  const lookup = registryLookup(options.patients);
  return {
    async decide(actor, request): Promise<AccessDecision> {
      const refused = scopeRefusal(actor, request);
      if (refused) return refused;
      try {
        const patient = await resolvePatient(request.patient, lookup);
        const evaluation = evaluationOf(actor, request, patient.ins);
        const { answer, reused } = await answerOf(options, actor, evaluation, patient.ins);
        if (!answer.decision) {
          return {
            permit: false,
            error: refusal(answer, request),
            reasons: answer.context.reasons.map((r) => r.code),
          };
        }
        const obligations = answer.context.obligations;
        return {
          permit: true,
          patient: patient.ins,
          ...(patient.reference ? { patientReference: patient.reference } : {}),
          filters: obligationFilters(obligations),
          basis: {
            id: answer.context.id,
            reasons: answer.context.reasons.map((r) => r.code),
            policyVersion: answer.context.policy_version,
            reused,
          },
          ...(obligations
            ? {
                audit: {
                  accessMode: obligations.audit_as,
                  ...(obligations.break_glass?.grant
                    ? { grant: obligations.break_glass.grant }
                    : {}),
                },
              }
            : {}),
        };
      } catch (error) {
        if (isFhirError(error)) return { permit: false, error, reasons: [error.code] };
        if (error instanceof AccessDecisionUnavailable) {
          return {
            permit: false,
            reasons: ['DECISION_UNAVAILABLE'],
            error: fhirError(
              'DMP-ACCESS-DECISION-UNAVAILABLE',
              `No access decision (fail closed): ${error.message}`,
            ),
          };
        }
        throw error;
      }
    },
  };
}
