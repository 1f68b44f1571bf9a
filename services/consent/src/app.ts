import type { Express } from 'express';
import { buildRefusalEvent } from '@dmp/audit-trail';
import { createServiceApp, type RouteDefinition, type ServiceRuntimeDeps } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import type { AccessPolicy } from './domain/access-policy';
import type { Notifier } from './notify/notifier';
import { accessRoutes } from './routes/access.routes';
import { adminRoutes } from './routes/admin.routes';
import { feedRoutes } from './routes/feed.routes';
import { fhirReadRoutes } from './routes/fhir.routes';
import { operationRoutes } from './routes/operations.routes';
import type { ConsentServices, TrustedClients } from './use-cases/context';
import { createConsentServices } from './use-cases/services';

export interface ConsentDeps extends ServiceRuntimeDeps {
  store: ResourceStore;
  /**
   * Profession matrix, break-glass and regulation settings (see `loadAccessPolicy`). Without
   * one, the service fails closed: nobody may consult, nobody may break glass.
   */
  policy?: AccessPolicy;
  /** Reads the policy again, for `POST /admin/v1/policy/reload` (default: `policy`). */
  loadPolicy?: () => AccessPolicy;
  /** The change feed's bound L in ms (`CONSENT_FEED_LEASE_MS`). */
  feedLeaseMs?: number;
  /** Clock (tests). */
  now?: () => Date;
  /** Where patient notifications go (default: FHIR Communication resources). */
  notifier?: Notifier;
  /** Client ids trusted to ask decisions / to act as the DMP operator (see `consentSettings`). */
  clients?: Partial<TrustedClients>;
}

/**
 * The consent service: DMP access rules, patient controls, access decisions and break-glass.
 * Pure wiring: no I/O, no environment.
 */
export function createApp(deps: ConsentDeps): Express {
  const services = createConsentServices(deps);
  return createServiceApp({
    ...deps,
    capability: {
      name: 'DmpConsent',
      title: 'DMP consent and access decisions',
      description:
        'Consent registry and access decision point of the French DMP, with break-glass.',
    },
    routes: routesOf(services),
    readiness: () => deps.store.ping(),
    // Every refusal (a patient changing another's consent, a hospital listing consents…) is traced.
    traceRefusal: (refusal) =>
      services.audit.append(buildRefusalEvent(refusal, { display: 'dmp-consent-service' })),
  });
}

/** The routes of the service (the CapabilityStatement and `openapi/consent.openapi.json` follow them). */
export function createRoutes(deps: ConsentDeps): RouteDefinition[] {
  return routesOf(createConsentServices(deps));
}

function routesOf(services: ConsentServices): RouteDefinition[] {
  return [
    ...fhirReadRoutes(services),
    ...operationRoutes(services),
    ...accessRoutes(services),
    ...feedRoutes(services),
    ...adminRoutes(services),
  ];
}

export type { AccessPolicy } from './domain/access-policy';
export { parseAccessPolicy, EMPTY_POLICY } from './domain/access-policy';
export * from '@dmp/consent-client';
export { consentSettings } from './settings';
