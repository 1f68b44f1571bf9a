import type { Express } from 'express';
import { createServiceApp, type RouteDefinition, type ServiceRuntimeDeps } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';

export interface DocumentsDeps extends ServiceRuntimeDeps {
  store: ResourceStore;
}

/**
 * The documents service: IHE MHD Document Recipient and Document Responder with the ANS PDSm
 * rules. Pure wiring: no I/O, no environment. The MHD transactions arrive with their own issue;
 * today it serves its CapabilityStatement, health and metrics.
 */
export function createApp(deps: DocumentsDeps): Express {
  return createServiceApp({
    ...deps,
    capability: {
      name: 'DmpDocuments',
      title: 'DMP document repository',
      description:
        'IHE MHD Document Recipient and Document Responder for the French DMP (ANS PDSm).',
    },
    routes: createRoutes(deps),
    readiness: () => deps.store.ping(),
  });
}

/** The FHIR routes of the service (the CapabilityStatement and `openapi/documents.openapi.json` follow them). */
export function createRoutes(_deps: DocumentsDeps): RouteDefinition[] {
  return [];
}
