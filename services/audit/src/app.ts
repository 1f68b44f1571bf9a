import type { Express } from 'express';
import { createResourceValidator } from '@dmp/fhir';
import {
  createServiceApp,
  type Refusal,
  type RouteDefinition,
  type ServiceRuntimeDeps,
} from '@dmp/http';
import type { AuditLog, ResourceStore } from '@dmp/storage';
import type { Checkpointer } from './checkpoint/checkpointer';
import { operationRoutes } from './routes/operations.routes';
import { queryRoutes } from './routes/query.routes';
import { recordRoutes } from './routes/record.routes';
import { recordRefusal, type AuditContext } from './use-cases/context';
import { DEFAULT_FEED_CLIENTS } from './settings';

export { Checkpointer, type CheckpointerOptions } from './checkpoint/checkpointer';
export {
  generateCheckpointKey,
  openCheckpointKey,
  type CheckpointKey,
} from './checkpoint/checkpoint-key';
export { verifyLog, type FullVerification } from './use-cases/verify-log';

export interface AuditDeps extends ServiceRuntimeDeps {
  /** The common resource store (unused by the audit features; kept for the shared runtime). */
  store: ResourceStore;
  /** The append-only, hash-chained AuditEvent log. */
  auditLog: AuditLog;
  /** Signs the chain head every N events / T seconds; holds the checkpoint key. */
  checkpointer: Checkpointer;
  /** Client ids allowed to feed the log (ITI-20); default {@link DEFAULT_FEED_CLIENTS}. */
  feedClients?: readonly string[];
  /** Largest `_count` (default 100). */
  maxCount?: number;
  now?: () => Date;
}

/**
 * The audit service: append-only, tamper-evident AuditEvent repository (IHE ATNA ITI-20 FHIR
 * feed, ITI-81, BALP), with the patient access history, break-glass review, NDJSON export and
 * chain verification. Pure wiring: no I/O, no environment.
 */
export function createApp(deps: AuditDeps): Express {
  const context = contextSource(deps);
  return createServiceApp({
    ...deps,
    capability: {
      name: 'DmpAudit',
      title: 'DMP audit record repository',
      description: 'Append-only, tamper-evident AuditEvent repository of the French DMP.',
    },
    routes: routesOf(context),
    readiness: () => deps.auditLog.ping(),
    traceRefusal: (refusal: Refusal) => recordRefusal(context(), refusal),
  });
}

/** The FHIR routes of the service (the CapabilityStatement and `openapi/audit.openapi.json` follow them). */
export function createRoutes(deps: AuditDeps): RouteDefinition[] {
  return routesOf(contextSource(deps));
}

/** The context, built on first use: listing the routes (OpenAPI, CapabilityStatement) needs none. */
function contextSource(deps: AuditDeps): () => AuditContext {
  let context: AuditContext | undefined;
  return () =>
    (context ??= {
      log: deps.auditLog,
      checkpointer: deps.checkpointer,
      validator: createResourceValidator(),
      now: deps.now ?? (() => new Date()),
      maxCount: deps.maxCount ?? 100,
      feedClients: deps.feedClients ?? DEFAULT_FEED_CLIENTS,
    });
}

function routesOf(ctx: () => AuditContext): RouteDefinition[] {
  return [...recordRoutes(ctx), ...operationRoutes(ctx), ...queryRoutes(ctx)];
}
export { auditSettings } from './settings';
