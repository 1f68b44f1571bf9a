import type { Express } from 'express';
import { createServiceApp, type RouteDefinition, type ServiceRuntimeDeps } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';

export interface ConsentDeps extends ServiceRuntimeDeps {
  store: ResourceStore;
}

/**
 * The consent service: DMP access rules, patient controls, access decisions and break-glass.
 * Pure wiring: no I/O, no environment. Its features arrive with their own issue; today it serves
 * its CapabilityStatement, health and metrics.
 */
export function createApp(deps: ConsentDeps): Express {
  return createServiceApp({
    ...deps,
    capability: {
      name: 'DmpConsent',
      title: 'DMP consent and access decisions',
      description:
        'Consent registry and access decision point of the French DMP, with break-glass.',
    },
    routes: createRoutes(deps),
    readiness: () => deps.store.ping(),
  });
}

/** The FHIR routes of the service (the CapabilityStatement and `openapi/consent.openapi.json` follow them). */
export function createRoutes(_deps: ConsentDeps): RouteDefinition[] {
  return [];
}
