import type { AuditEvent } from 'fhir/r4';
import type { Refusal } from '@dmp/http';
import { buildAuditEvent, SHAPE, type AuditedInteraction } from '../domain/audit-event';

const AUDITED = new Set<string>(Object.keys(SHAPE));

/**
 * The AuditEvent of a refused request (outcome 4, or 8 for a server failure), in the shape of
 * the interaction the route serves (`traceAs`), with what the service learnt before refusing.
 */
export function buildRefusalAuditEvent(refusal: Refusal): AuditEvent {
  const interaction = (
    refusal.traceAs !== undefined && AUDITED.has(refusal.traceAs) ? refusal.traceAs : 'read'
  ) as AuditedInteraction;
  const context = refusal.context ?? {};
  const reason = context.reason ? ` (${context.reason})` : '';
  return buildAuditEvent({
    interaction,
    outcome: refusal.status >= 500 ? '8' : '4',
    outcomeDesc: `${refusal.error.code}: ${refusal.error.message}${reason}`,
    actor: refusal.actor,
    requestId: refusal.requestId,
    serverUrl: refusal.baseUrl,
    ...(context.patient ? { patient: { identifier: context.patient } } : {}),
    entities: (context.entities ?? []).map((reference) => ({ what: { reference }, role: '4' })),
    ...(refusal.query !== '' ? { query: refusal.query } : {}),
  });
}
