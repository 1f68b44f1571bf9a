import type { Actor } from '@dmp/auth';
import { FhirError, withTrace, type Fault, type TraceContext } from '@dmp/errors';
import type { ResourceValidator, SearchFilter } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import type { AuditInput } from '../domain/audit-event';
import type { AccessAuditFlags, AccessDecider, AccessRequest } from '../ports/access-decider';
import type { AuditSink } from '../ports/audit-sink';

/** What the use cases need, built once by `createApp`. */
export interface DocumentsContext {
  store: ResourceStore;
  access: AccessDecider;
  audit: AuditSink;
  validator: ResourceValidator;
  /** Largest document accepted (bytes); 413 beyond. */
  maxDocumentBytes: number;
  /** Largest page of a search; a bigger `_count` is capped to it. */
  maxPageSize: number;
  /** `ihe-sourceId` of the SubmissionSets this service derives for ITI-105. */
  sourceId: string;
}

/** Who calls and where: one per request. */
export interface CallContext {
  actor: Actor;
  requestId: string;
  baseUrl: string;
  /** Set by {@link authorize} from the permit: how the access is audited (consent's answer). */
  auditFlags?: AccessAuditFlags;
}

type AuditBasics = Pick<AuditInput, 'interaction' | 'patient' | 'entities' | 'query'>;

export function auditInput(
  call: CallContext,
  basics: AuditBasics,
  outcome: AuditInput['outcome'] = '0',
): AuditInput {
  return {
    ...basics,
    outcome,
    actor: call.actor,
    requestId: call.requestId,
    serverUrl: call.baseUrl,
    // The decision point's word when it gave one, else the mode the token asked for (denials).
    accessMode: call.auditFlags?.accessMode ?? call.actor.accessMode,
    ...(call.auditFlags?.grant ? { grant: call.auditFlags.grant } : {}),
  };
}

/**
 * Asks the access decider; a refusal is audited (outcome 4) and thrown. Returns the permit's
 * search obligations and keeps its audit flags on `call` for the request's AuditEvents.
 */
export async function authorize(
  ctx: DocumentsContext,
  call: CallContext,
  request: AccessRequest,
  audit: AuditBasics,
): Promise<SearchFilter[]> {
  const decision = await ctx.access.decide(call.actor, request);
  if (decision.permit) {
    if (decision.audit) call.auditFlags = decision.audit;
    return decision.filters;
  }
  throw withTrace(decision.error, traceContextOf(audit));
}

/** What a refused request's trace may name: the patient (INS) and the resources concerned. */
export function traceContextOf(audit: AuditBasics): TraceContext {
  const patient = audit.patient?.identifier;
  return {
    ...(patient?.value !== undefined ? { patient } : {}),
    entities: (audit.entities ?? []).flatMap((e) => (e.what.reference ? [e.what.reference] : [])),
  };
}

/** Throws the faults together (one OperationOutcome issue each) when there are any. */
export function throwFaults(faults: readonly Fault[]): void {
  if (faults.length > 0) throw new FhirError([...faults]);
}
