import type { Express } from 'express';
import { createServiceApp, type RouteDefinition, type ServiceRuntimeDeps } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';

export interface AuditDeps extends ServiceRuntimeDeps {
  store: ResourceStore;
}

/**
 * The audit service: append-only, tamper-evident AuditEvent repository (IHE ATNA ITI-20 FHIR
 * feed, ITI-81, BALP). Pure wiring: no I/O, no environment. Its features arrive with their own
 * issue; today it serves its CapabilityStatement, health and metrics.
 */
export function createApp(deps: AuditDeps): Express {
  return createServiceApp({
    ...deps,
    capability: {
      name: 'DmpAudit',
      title: 'DMP audit record repository',
      description: 'Append-only, tamper-evident AuditEvent repository of the French DMP.',
    },
    routes: createRoutes(deps),
    readiness: () => deps.store.ping(),
  });
}

/** The FHIR routes of the service (the CapabilityStatement and `openapi/audit.openapi.json` follow them). */
export function createRoutes(_deps: AuditDeps): RouteDefinition[] {
  return [];
}
