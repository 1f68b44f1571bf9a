import type { Express } from 'express';
import { createResourceValidator } from '@dmp/fhir';
import { createServiceApp, type RouteDefinition, type ServiceRuntimeDeps } from '@dmp/http';
import { createGroupCommitOutbox, type ResourceStore } from '@dmp/storage';
import { createEnforcementPoint } from './access/enforcement-point';
import { INSTANTIATED_CAPABILITY_STATEMENTS } from './domain/constants';
import type { AccessDecider } from './ports/access-decider';
import { createOutboxAuditSink, type AuditSink } from './ports/audit-sink';
import type { ContextSource } from './routes/call';
import { provideRoutes } from './routes/provide.routes';
import { patchRoutes } from './routes/patch.routes';
import { readRoutes } from './routes/read.routes';
import { searchRoutes } from './routes/search.routes';
import type { DocumentsContext } from './use-cases/context';
import { buildRefusalAuditEvent } from './use-cases/refusal-trace';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './settings';

export type { AccessDecider, AccessDecision, AccessRequest } from './ports/access-decider';
export { AUDIT_TOPIC, createOutboxAuditSink, type AuditSink } from './ports/audit-sink';
export { createScopeAccessDecider } from './ports/scope-access-decider';
export { createConsentAccessDecider } from './ports/consent-access-decider';
export {
  openConsentDecisionPoint,
  type ConsentDecisionPoint,
  type ConsentDecisionPointOptions,
} from './access/consent-decision-point';
export { createConsentNotices } from './ports/consent-notices';
export {
  startInvisiblePatientSweep,
  sweepInvisiblePatientNotices,
  type DueNotice,
  type InvisiblePatientSweep,
} from './jobs/invisible-patient-sweep';

/** Default `ihe-sourceId` of SubmissionSets derived for ITI-105 (configure the real OID). */
export const DEFAULT_SOURCE_ID = 'urn:oid:1.2.250.1.213.1.1.9';

export interface DocumentsDeps extends ServiceRuntimeDeps {
  store: ResourceStore;
  /**
   * Access decisions: the consent service in the product; tests and the bench pass the
   * in-process scope check explicitly. Required, so that no wiring can forget the decision point.
   */
  accessDecider: AccessDecider;
  /** Audit records; defaults to the store's outbox. */
  auditSink?: AuditSink;
  /** Largest document accepted, in bytes (413 beyond); default {@link DEFAULT_MAX_DOCUMENT_BYTES}. */
  maxDocumentBytes?: number;
  /** Largest search page; default 100. */
  maxPageSize?: number;
  sourceId?: string;
}

/**
 * The documents service: IHE MHD Document Recipient and Document Responder with the ANS PDSm
 * rules. Pure wiring: no I/O, no environment.
 */
export function createApp(deps: DocumentsDeps): Express {
  // One sink for the enforcement point and the refusal traces: their records share commits.
  const audited = { ...deps, auditSink: deps.auditSink ?? groupCommittedSink(deps.store) };
  return createServiceApp({
    ...deps,
    capability: {
      name: 'DmpDocuments',
      title: 'DMP document repository',
      description:
        'IHE MHD Document Recipient and Document Responder for the French DMP (ANS PDSm).',
      instantiates: INSTANTIATED_CAPABILITY_STATEMENTS,
    },
    routes: createRoutes(audited),
    readiness: () => deps.store.ping(),
    traceRefusal: (refusal) => audited.auditSink.record(buildRefusalAuditEvent(refusal)),
  });
}

/** The audit sink over the store's outbox, records outside a transaction group-committed. */
function groupCommittedSink(store: ResourceStore): AuditSink {
  return createOutboxAuditSink(createGroupCommitOutbox(store));
}

/**
 * The store goes to the enforcement point and nowhere else: the use cases get the enforcement
 * point, never the store (see `src/access/enforcement-point.ts`).
 */
function contextSource(deps: DocumentsDeps): ContextSource {
  let context: DocumentsContext | undefined;
  return () => {
    context ??= {
      access: createEnforcementPoint({
        store: deps.store,
        decider: deps.accessDecider,
        audit: deps.auditSink ?? groupCommittedSink(deps.store),
      }),
      validator: createResourceValidator(),
      maxDocumentBytes: deps.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES,
      maxPageSize: deps.maxPageSize ?? 100,
      sourceId: deps.sourceId ?? DEFAULT_SOURCE_ID,
    };
    return context;
  };
}

/** The FHIR routes of the service (the CapabilityStatement and `openapi/documents.openapi.json` follow them). */
export function createRoutes(deps: DocumentsDeps): RouteDefinition[] {
  const context = contextSource(deps);
  const maxDocumentBytes =
    (deps as Partial<DocumentsDeps>).maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  // base64 grows the bytes by 4/3; the JSON around them is small.
  const bodyLimit = Math.ceil(maxDocumentBytes * 1.37) + 1024 * 1024;
  return [
    ...provideRoutes(context, bodyLimit),
    ...searchRoutes(context),
    ...readRoutes(context),
    ...patchRoutes(context),
  ];
}
export { DEFAULT_MAX_DOCUMENT_BYTES, documentsSettings } from './settings';
