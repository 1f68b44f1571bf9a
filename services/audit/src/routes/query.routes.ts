import { requireScope, type Actor } from '@dmp/auth';
import { searchParametersFor } from '@dmp/fhir';
import type { RouteDefinition } from '@dmp/http';
import type { AuditContext } from '../use-cases/context';
import { readEvent, searchEvents } from '../use-cases/search-events';
import { callOf } from './call';

const canSearch = (actor: Actor) => requireScope(actor, 'AuditEvent', 's', 'ITI-81');
const canRead = (actor: Actor) => requireScope(actor, 'AuditEvent', 'r', 'ITI-81');

/** ITI-81: search (GET and POST `_search`) and read by id. */
export function queryRoutes(ctx: () => AuditContext): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/AuditEvent',
      capability: {
        resourceType: 'AuditEvent',
        interaction: 'search-type',
        searchParams: searchParametersFor('AuditEvent'),
      },
      authorize: canSearch,
      handler: async (request) => ({
        status: 200,
        resource: await searchEvents(ctx(), callOf(request), request.searchParams),
      }),
    },
    {
      method: 'POST',
      path: '/AuditEvent/_search',
      body: 'search-form',
      authorize: canSearch,
      handler: async (request) => ({
        status: 200,
        resource: await searchEvents(ctx(), callOf(request), request.searchParams),
      }),
    },
    {
      method: 'GET',
      path: '/AuditEvent/:id',
      capability: { resourceType: 'AuditEvent', interaction: 'read' },
      authorize: canRead,
      handler: async (request) => ({
        status: 200,
        resource: await readEvent(ctx(), callOf(request), request.params.id ?? ''),
      }),
    },
  ];
}
