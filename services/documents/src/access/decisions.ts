import type { DocumentReference, List, Reference } from 'fhir/r4';
import { fhirError, withTrace, type FhirError } from '@dmp/errors';
import { buildAuditEvent, type AuditInput } from '../domain/audit-event';
import { isInsSystem } from '@dmp/fhir';
import type { PatientIns } from '../domain/patient-ins';
import type { AccessDecider, AccessDecision, AccessRequest } from '../ports/access-decider';
import type { AuditSink } from '../ports/audit-sink';
import type { OutboxWriter } from '@dmp/storage';
import type { CallContext } from '../use-cases/context';

export type Permit = Extract<AccessDecision, { permit: true }>;

type AuditFacts = Pick<AuditInput, 'interaction' | 'entities' | 'query'>;

/** The decision point and the audit sink, as the enforcement point uses them. */
export interface Decisions {
  /** Asks the decision point; a refusal is thrown as it is (403, 422…), traced by the HTTP layer. */
  require(call: CallContext, request: AccessRequest): Promise<Permit>;
  /**
   * Same, for an interaction on one known resource: any refusal is answered as if the resource
   * did not exist (404), so that nobody learns which ids exist, or that a document is masked;
   * the real reason goes to the trace. A decision point that cannot answer stays a 503.
   */
  requireVisible(
    call: CallContext,
    request: AccessRequest,
    resource: { resourceType: string; id?: string },
  ): Promise<Permit>;
  /** Records the access the permit allowed (before the answer; in `writer`'s transaction). */
  record(
    call: CallContext,
    permit: Permit,
    facts: AuditFacts,
    writer?: OutboxWriter,
  ): Promise<void>;
}

/** The answer to an unknown id, also given for a known one the caller may not see. */
export function notFound(resource: { resourceType: string; id?: string }): FhirError {
  return fhirError(
    'DMP-RESOURCE-NOT-FOUND',
    `${resource.resourceType}/${resource.id ?? ''} is not known.`,
  );
}

/** The patient a stored resource is kept under: the INS stamped on its subject when stored. */
export function storedPatientOf(resource: DocumentReference | List): Reference {
  const subject = resource.subject;
  const identifier = subject?.identifier;
  return identifier?.value !== undefined && isInsSystem(identifier.system)
    ? { identifier }
    : (subject ?? {});
}

function patientTrace(patient: Reference): { patient?: PatientIns } {
  const identifier = patient.identifier;
  return identifier?.system !== undefined && identifier.value !== undefined
    ? { patient: { system: identifier.system, value: identifier.value } }
    : {};
}

export function createDecisions(decider: AccessDecider, audit: AuditSink): Decisions {
  async function decide(call: CallContext, request: AccessRequest): Promise<AccessDecision> {
    const decision = await decider.decide(call.actor, request);
    if (decision.permit && decision.audit) call.auditFlags = decision.audit;
    return decision;
  }
  return {
    async require(call, request) {
      const decision = await decide(call, request);
      if (decision.permit) return decision;
      throw withTrace(decision.error, patientTrace(request.patient));
    },
    async requireVisible(call, request, resource) {
      const decision = await decide(call, request);
      if (decision.permit) return decision;
      if (decision.error.status >= 500) throw decision.error;
      throw withTrace(notFound(resource), {
        ...patientTrace(request.patient),
        entities: [`${resource.resourceType}/${resource.id ?? ''}`],
        reason: `${decision.reasons.join(',')}: ${decision.error.message}`,
      });
    },
    record(call, permit, facts, writer) {
      return audit.record(
        buildAuditEvent({
          ...facts,
          outcome: '0',
          actor: call.actor,
          requestId: call.requestId,
          serverUrl: call.baseUrl,
          patient: { identifier: permit.patient },
          accessMode: permit.audit?.accessMode ?? call.actor.accessMode,
          ...(permit.audit?.grant ? { grant: permit.audit.grant } : {}),
          ...(permit.basis ? { decision: permit.basis } : {}),
        }),
        writer,
      );
    },
  };
}
