import { requireScope, requireServiceClient, type Actor } from '@dmp/auth';
import type { RouteDefinition } from '@dmp/http';
import { etagOf } from '@dmp/fhir';
import { recordBundle, recordEvent } from '../use-cases/record-events';
import type { AuditContext } from '../use-cases/context';

/** ITI-20 FHIR feed: one AuditEvent, or a batch/transaction Bundle of them at the base. */
export function recordRoutes(ctx: () => AuditContext): RouteDefinition[] {
  // Only the product's services feed the log: an event written by anyone else would be a
  // forged trace (and a replayed id would read someone else's event).
  const authorize = (actor: Actor) => {
    requireServiceClient(actor, ctx().feedClients);
    requireScope(actor, 'AuditEvent', 'c', 'ITI-20');
  };
  return [
    {
      method: 'POST',
      path: '/AuditEvent',
      body: 'resource',
      capability: { resourceType: 'AuditEvent', interaction: 'create' },
      authorize,
      handler: async (request) => {
        const { status, event } = await recordEvent(ctx(), request.body);
        const id = event.id ?? '';
        return {
          status,
          resource: event,
          headers: {
            Location: `${request.baseUrl}/AuditEvent/${id}/_history/1`,
            ETag: etagOf('1'),
            ...(event.meta?.lastUpdated
              ? { 'Last-Modified': new Date(event.meta.lastUpdated).toUTCString() }
              : {}),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/',
      body: 'resource',
      capability: { system: 'batch' },
      authorize,
      handler: async (request) => ({
        status: 200,
        resource: await recordBundle(ctx(), request.body),
      }),
    },
  ];
}
