import type { Actor } from '@dmp/auth';
import { FhirError, type Fault } from '@dmp/errors';
import type { ResourceValidator } from '@dmp/fhir';
import type { EnforcementPoint } from '../access/enforcement-point';
import type { AccessAuditFlags } from '../ports/access-decider';

/**
 * What the use cases need, built once by `createApp`. There is no store here: patient data is
 * reached only through the enforcement point.
 */
export interface DocumentsContext {
  access: EnforcementPoint;
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
  /** The request's query (plus a POST `_search` form), for the audit query entity. */
  rawQuery: string;
  /** Set by the enforcement point from the permit: how the access is audited (consent's answer). */
  auditFlags?: AccessAuditFlags;
}

/** Throws the faults together (one OperationOutcome issue each) when there are any. */
export function throwFaults(faults: readonly Fault[]): void {
  if (faults.length > 0) throw new FhirError([...faults]);
}
