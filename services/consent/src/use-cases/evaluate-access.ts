import { recordAuditEvent } from '@dmp/audit-trail';
import type { AuditEvent, Consent } from 'fhir/r4';
import { requireServiceClient, type Actor } from '@dmp/auth';
import type { ResourceOperations } from '@dmp/storage';
import { decisionAuditEvent } from '../audit/audit-events';
import { decide } from '../domain/decide';
import type { Decision, DocumentFacts, SubjectFacts } from '../domain/decision';
import type { DocumentChange } from '../domain/document-changes';
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
  /** Id of the AuditEvent recording this decision. */
  auditId: string;
  policyVersion: string;
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
}

async function evaluateOne(
  services: ConsentServices,
  reader: ResourceOperations,
  question: AccessQuestion,
  now: Date,
): Promise<Evaluated> {
  const record = await loadDmp(reader, question.key);
  const decision = decide({
    subject: question.subject,
    action: question.action,
    dmp: factsOf(record),
    ...(question.document ? { document: question.document } : {}),
    ...(question.changes ? { changes: question.changes } : {}),
    policy: services.policy,
    now,
  });
  return { record, decision };
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
      auditId: audit.id ?? '',
      policyVersion: services.policy.version,
    };
  });
}

/**
 * Answers access questions (SPEC C.7, E.5). The DMP state and Consent are read for every
 * question (no cache: a block or a revocation applies at once); each decision is audited
 * before it is returned (group commit, see `createBatchedAuditWriter`); emergency permits go
 * through {@link evaluateEmergency}.
 */
export async function evaluateAccess(
  services: ConsentServices,
  caller: Caller,
  questions: readonly AccessQuestion[],
): Promise<AccessAnswer[]> {
  assertMayAskDecisions(services, caller.actor);
  return Promise.all(
    questions.map(async (question) => {
      const now = services.now();
      const evaluated = await evaluateOne(services, services.store, question, now);
      if (evaluated.decision.permit && evaluated.decision.obligations?.emergency) {
        return evaluateEmergency(services, caller, question);
      }
      const audit = auditOf(caller, question, evaluated, now);
      await services.audit.append(audit);
      return {
        decision: evaluated.decision,
        auditId: audit.id ?? '',
        policyVersion: services.policy.version,
      };
    }),
  );
}
