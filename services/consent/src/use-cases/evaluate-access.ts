import { randomUUID } from 'node:crypto';
import { recordAuditEvent } from '@dmp/audit-trail';
import type { AuditEvent, Consent } from 'fhir/r4';
import { requireServiceClient, type Actor } from '@dmp/auth';
import type { ResourceOperations } from '@dmp/storage';
import { decisionAuditEvent } from '../audit/audit-events';
import { decide } from '../domain/decide';
import type { Decision, DocumentFacts, SubjectFacts } from '../domain/decision';
import type { DocumentChange } from '../domain/document-changes';
import { permitReuse, type PermitReuse } from '../domain/permit-reuse';
import type { ActionName } from '../domain/vocabulary';
import { factsOf, loadDmp, type DmpRecord, type PatientKey } from '../storage/dmp-repository';
import type { Caller, ConsentServices } from './context';
import { ensureEmergencyGrant } from './emergency-grant';

/** One access question, already validated. */
export interface AccessQuestion {
  subject: SubjectFacts;
  action: ActionName;
  key: PatientKey;
  document?: DocumentFacts;
  changes?: readonly DocumentChange[];
}

export interface AccessAnswer {
  decision: Decision;
  /** The emergency grant in force, when the permit rests on one. */
  grant?: Consent;
  /**
   * Id of the decision: that of the AuditEvent recording it when the consent service records
   * it, else the one the documents service's AuditEvent of the access carries.
   */
  decisionId: string;
  policyVersion: string;
  /** Whether, and how long, a follower of the change feed may reuse the permit. */
  reuse?: PermitReuse;
}

/**
 * Decisions are asked by the documents service's own identity, never by end users nor by a
 * hospital's software: a decision names patients, blocks and DMP states, and an emergency one
 * creates a grant and notifies the patient.
 */
export function assertMayAskDecisions(services: ConsentServices, actor: Actor): void {
  requireServiceClient(actor, services.clients.decisions);
}

interface Evaluated {
  record: DmpRecord;
  decision: Decision;
  reuse?: PermitReuse;
  /** Of the policy the decision was made with (a reload may replace it meanwhile). */
  policyVersion: string;
}

async function evaluateOne(
  services: ConsentServices,
  reader: ResourceOperations,
  question: AccessQuestion,
  now: Date,
): Promise<Evaluated> {
  const policy = services.policy;
  const record = await loadDmp(reader, question.key);
  const input = {
    subject: question.subject,
    action: question.action,
    dmp: factsOf(record),
    ...(question.document ? { document: question.document } : {}),
    ...(question.changes ? { changes: question.changes } : {}),
    policy,
    now,
  };
  const decision = decide(input);
  const reuse = permitReuse(input, decision);
  return { record, decision, policyVersion: policy.version, ...(reuse ? { reuse } : {}) };
}

function auditOf(
  caller: Caller,
  question: AccessQuestion,
  evaluated: Evaluated,
  now: Date,
): AuditEvent {
  return decisionAuditEvent({
    caller: caller.actor,
    subject: question.subject,
    action: question.action,
    decision: evaluated.decision,
    patientRef: evaluated.record.patient?.id ? `Patient/${evaluated.record.patient.id}` : undefined,
    ins: question.key.ins,
    insSystem: question.key.system,
    requestId: caller.requestId,
    now,
  });
}

/**
 * An emergency permit is decided again inside a transaction, so that the grant is created at
 * most once and commits with its notifications and its audit record.
 */
async function evaluateEmergency(
  services: ConsentServices,
  caller: Caller,
  question: AccessQuestion,
): Promise<AccessAnswer> {
  return services.store.transaction(async (tx) => {
    const now = services.now();
    const evaluated = await evaluateOne(services, tx, question, now);
    const { record, decision } = evaluated;
    let grant: Consent | undefined;
    const emergency = decision.obligations?.emergency;
    if (decision.permit && emergency && record.patient?.id) {
      ({ grant } = await ensureEmergencyGrant(services, tx, {
        key: question.key,
        patientId: record.patient.id,
        subject: question.subject,
        mode: emergency,
        preferences: factsOf(record).preferences,
        now,
      }));
    }
    const audit = auditOf(caller, question, evaluated, now);
    await recordAuditEvent(tx.outbox, audit);
    return {
      decision,
      ...(grant ? { grant } : {}),
      decisionId: audit.id ?? '',
      policyVersion: evaluated.policyVersion,
    };
  });
}

/**
 * Answers access questions (SPEC C.7, E.5). The DMP state and Consent are read for every
 * question (no cache here: the documents service keeps reusable permits and the change feed
 * tells it when they went stale). Denials are recorded before they are returned (group
 * commit, see `createBatchedAuditWriter`); a routine permit is not: the access it allows is
 * recorded by the documents service with this decision's id, reasons and policy version, and a
 * permit nobody uses is no access. Emergency permits go through {@link evaluateEmergency},
 * which records them with their grant and notifications.
 */
export async function evaluateAccess(
  services: ConsentServices,
  caller: Caller,
  questions: readonly AccessQuestion[],
): Promise<AccessAnswer[]> {
  assertMayAskDecisions(services, caller.actor);
  const answers = await Promise.all(
    questions.map(async (question): Promise<AccessAnswer> => {
      const now = services.now();
      const evaluated = await evaluateOne(services, services.store, question, now);
      if (evaluated.decision.permit && evaluated.decision.obligations?.emergency) {
        return evaluateEmergency(services, caller, question);
      }
      const answer = {
        decision: evaluated.decision,
        policyVersion: evaluated.policyVersion,
        ...(evaluated.reuse ? { reuse: evaluated.reuse } : {}),
      };
      if (evaluated.decision.permit) return { ...answer, decisionId: randomUUID() };
      const audit = auditOf(caller, question, evaluated, now);
      await services.audit.append(audit);
      return { ...answer, decisionId: audit.id ?? '' };
    }),
  );
  for (const { decision } of answers) {
    services.evaluations.inc({ decision: decision.permit ? 'permit' : 'deny' });
  }
  return answers;
}
