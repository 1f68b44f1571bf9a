import { requireServiceClient } from '@dmp/auth';
import type { RouteDefinition } from '@dmp/http';
import type { ConsentServices } from '../use-cases/context';
import { reloadPolicy } from '../use-cases/reload-policy';
import { callerOf } from './caller';

/** What the DMP operator's software does to the service itself (`CONSENT_OPERATOR_CLIENTS`). */
export function adminRoutes(services: ConsentServices): RouteDefinition[] {
  return [
    {
      method: 'POST',
      path: '/admin/v1/policy/reload',
      root: true,
      authorize: (actor) => requireServiceClient(actor, services.clients.operators),
      handler: async (request) => ({
        status: 200,
        json: await reloadPolicy(services, callerOf(request)),
      }),
    },
  ];
}
