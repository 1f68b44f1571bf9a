import type { DocumentReference, Identifier, Reference } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import {
  AccessDecisionUnavailable,
  type AccessAction,
  type AccessClient,
  type EvaluationRequest,
  type EvaluationResource,
  type EvaluationResponse,
  type PatientRegistryClient,
} from '@dmp/consent-client';
import { fhirError, isFhirError, type FhirError } from '@dmp/errors';
import { isInsSystem } from '@dmp/fhir';
import { obligationFilters } from '../domain/obligation-filters';
import type {
  AccessDecider,
  AccessDecision,
  AccessRequest,
  DocumentInteraction,
} from './access-decider';
import { createScopeAccessDecider } from './scope-access-decider';

const ACTION: Readonly<Record<DocumentInteraction, AccessAction>> = {
  provide: 'create',
  publish: 'create',
  search: 'search',
  read: 'read',
  retrieve: 'read',
  update: 'update-metadata',
  delete: 'delete',
};

export interface ConsentAccessDeciderOptions {
  /** The consent service's decision API (`POST /access/v1/evaluation`). */
  access: AccessClient;
  /** The consent service's patient registry (maps `Patient/…` to the INS). */
  patients: PatientRegistryClient;
  /** Checked first (token scopes); default {@link createScopeAccessDecider}. */
  scopes?: AccessDecider;
}

function noDmp(message: string): FhirError {
  return fhirError('DMP-PATIENT-NO-DMP', message, 'patient');
}

const PATIENT_ID = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/;

/** The INS of the request's patient: given as an identifier, or looked up in the registry. */
async function patientIdentifier(
  patients: PatientRegistryClient,
  cache: Map<string, Identifier>,
  patient: Reference | undefined,
): Promise<Identifier> {
  if (patient?.identifier?.value !== undefined) return patient.identifier;
  const id = PATIENT_ID.exec(patient?.reference ?? '')?.[1];
  if (id === undefined) throw noDmp('The request does not identify the patient (INS)');
  const known = cache.get(id);
  if (known) return known;
  const found = await patients.byId(id);
  const ins =
    found?.identifiers.find((identifier) => isInsSystem(identifier.system)) ??
    found?.identifiers[0];
  if (!ins) throw noDmp(`Patient/${id} is unknown to the DMP patient registry`);
  if (cache.size >= 10_000) cache.clear();
  cache.set(id, ins);
  return ins;
}

function codeOf(concept: { coding?: { code?: string }[] } | undefined): string | undefined {
  return concept?.coding?.find((coding) => coding.code !== undefined)?.code;
}

/** idNat_PS of the first author, whether given as a logical reference or contained. */
function authorOf(document: DocumentReference, type: string): string | undefined {
  for (const author of document.author ?? []) {
    if (author.identifier?.value && (!author.type || author.type === type))
      return author.identifier.value;
    const contained = document.contained?.find((r) => `#${r.id ?? ''}` === author.reference);
    if (contained?.resourceType === type) {
      const identifiers = (contained as { identifier?: Identifier[] }).identifier;
      const value = identifiers?.find((i) => i.value !== undefined)?.value;
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

function resourceOf(request: AccessRequest, patient: Identifier): EvaluationResource {
  const ins = { ...(patient.system ? { system: patient.system } : {}), value: patient.value ?? '' };
  const document = request.document;
  if (!document) return { type: 'dmp', properties: { patient: ins } };
  const classCode = codeOf(document.category?.[0]);
  const typeCode = codeOf(document.type);
  const author = authorOf(document, 'Practitioner');
  const organization = authorOf(document, 'Organization');
  return {
    type: 'DocumentReference',
    ...(document.id ? { id: document.id } : {}),
    properties: {
      patient: ins,
      security_labels: (document.securityLabel ?? []).flatMap((label) =>
        (label.coding ?? []).flatMap((coding) => (coding.code ? [coding.code] : [])),
      ),
      ...(classCode ? { class: classCode } : {}),
      ...(typeCode ? { type: typeCode } : {}),
      ...(author ? { author } : {}),
      ...(organization ? { author_organization: organization } : {}),
      ...(document.date ? { deposit_date: document.date } : {}),
    },
  };
}

/** The AuthZEN question for one documents interaction. */
export function evaluationOf(
  actor: Actor,
  request: AccessRequest,
  patient: Identifier,
): EvaluationRequest {
  const subjectId =
    actor.kind === 'practitioner' ? (actor.nationalProviderId ?? actor.id) : actor.id;
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
    action: { name: ACTION[request.interaction] },
    resource: resourceOf(request, patient),
    context: {
      access_mode: actor.accessMode,
      ...(actor.accessReason ? { access_reason: actor.accessReason } : {}),
      ...(actor.attestation ? { attestation: actor.attestation } : {}),
    },
  };
}

function refusal(answer: EvaluationResponse): FhirError {
  const reasons = answer.context.reasons;
  const text = reasons.map((r) => `${r.code}: ${r.text}`).join('; ') || 'Access denied';
  if (reasons.some((r) => r.code === 'DMP_NOT_FOUND')) return noDmp(text);
  return fhirError('DMP-CONSENT-DENIED', text);
}

/**
 * The documents service's decision point is the consent service, over HTTP: the token scopes
 * first, then one AuthZEN evaluation per request. A permit's obligations become search
 * predicates; a deny is a 403 (422 when the patient has no open DMP); no answer is a 503
 * (fail closed, `DMP-ACCESS-DECISION-UNAVAILABLE`).
 */
export function createConsentAccessDecider(options: ConsentAccessDeciderOptions): AccessDecider {
  const scopes = options.scopes ?? createScopeAccessDecider();
  const cache = new Map<string, Identifier>();
  return {
    async decide(actor, request): Promise<AccessDecision> {
      const scoped = await scopes.decide(actor, request);
      if (!scoped.permit) return scoped;
      try {
        const patient = await patientIdentifier(options.patients, cache, request.patient);
        const answer = await options.access.evaluate(evaluationOf(actor, request, patient));
        if (!answer.decision) return { permit: false, error: refusal(answer) };
        const obligations = answer.context.obligations;
        return {
          permit: true,
          filters: obligationFilters(obligations),
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
        if (isFhirError(error)) return { permit: false, error };
        if (error instanceof AccessDecisionUnavailable) {
          return {
            permit: false,
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
