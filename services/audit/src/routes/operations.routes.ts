import { requireScope, type Actor } from '@dmp/auth';
import type { RouteDefinition } from '@dmp/http';
import { listUnreviewedBreakGlass, recordBreakGlassReview } from '../use-cases/break-glass-review';
import type { AuditContext } from '../use-cases/context';
import { exportEvents } from '../use-cases/export-events';
import { patientHistory } from '../use-cases/patient-history';
import { listCheckpoints, verifyOperation } from '../use-cases/verify-log';
import { callOf } from './call';

const OPERATION_BASE = 'https://dmp.example.fr/fhir/OperationDefinition/';
const canRead = (actor: Actor) => requireScope(actor, 'AuditEvent', 'r', 'ITI-81');

function operation(name: string) {
  return {
    resourceType: 'AuditEvent',
    operation: { name, definition: `${OPERATION_BASE}AuditEvent-${name}` },
  };
}

/** Patient history, break-glass review, export, verification and checkpoints. */
export function operationRoutes(ctx: () => AuditContext): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/AuditEvent/$patient-history',
      capability: operation('patient-history'),
      authorize: canRead,
      handler: async (request) => ({
        status: 200,
        resource: await patientHistory(ctx(), callOf(request), request.searchParams),
      }),
    },
    {
      method: 'GET',
      path: '/AuditEvent/$break-glass-review',
      capability: operation('break-glass-review'),
      authorize: canRead,
      handler: async (request) => ({
        status: 200,
        resource: await listUnreviewedBreakGlass(ctx(), callOf(request), request.searchParams),
      }),
    },
    {
      method: 'POST',
      path: '/AuditEvent/$break-glass-review',
      body: 'resource',
      authorize: canRead,
      handler: async (request) => ({
        status: 201,
        resource: await recordBreakGlassReview(ctx(), callOf(request), request.body),
      }),
    },
    {
      method: 'GET',
      path: '/AuditEvent/$export',
      capability: operation('export'),
      authorize: canRead,
      produces: 'any',
      handler: async (request) => ({
        status: 200,
        stream: await exportEvents(ctx(), callOf(request), request.searchParams),
        contentType: 'application/fhir+ndjson',
      }),
    },
    {
      method: 'GET',
      path: '/AuditEvent/$verify',
      capability: operation('verify'),
      authorize: canRead,
      handler: async (request) => ({
        status: 200,
        resource: await verifyOperation(ctx(), callOf(request)),
      }),
    },
    {
      method: 'GET',
      path: '/AuditEvent/$checkpoints',
      capability: operation('checkpoints'),
      authorize: canRead,
      handler: async (request) => ({
        status: 200,
        resource: await listCheckpoints(ctx(), callOf(request)),
      }),
    },
  ];
}
