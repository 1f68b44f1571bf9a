import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventEntity, Coding } from 'fhir/r4';
import type { Refusal } from '@dmp/http';
import { userAgentOf } from './user-agent';
import {
  BALP_ENTITY_TYPE,
  DCM,
  ENTITY_TYPE,
  EVENT_TYPE,
  OBJECT_ROLE,
  RESTFUL_INTERACTION,
  SECURITY_SOURCE_TYPE,
} from './vocabulary';

const ACTION_OF: Readonly<Record<string, AuditEvent['action']>> = {
  GET: 'R',
  POST: 'E',
  PUT: 'U',
  PATCH: 'U',
  DELETE: 'D',
};

/** The REST interaction a refused request attempted, from its method and route template. */
function interactionOf(refusal: Refusal): string {
  if (refusal.method === 'PATCH') return 'patch';
  if (refusal.method === 'DELETE') return 'delete';
  if (refusal.method === 'PUT') return 'update';
  if (refusal.route.includes('$')) return 'operation';
  if (refusal.method === 'POST')
    return refusal.route.endsWith('_search') ? 'search-type' : 'create';
  return /\/:[a-z]+$/.test(refusal.route) ? 'read' : 'search-type';
}

/** The patient entity (BALP: type Person, role Patient), from a validated identifier. */
export function patientEntity(
  patient: NonNullable<Refusal['context']>['patient'],
): AuditEventEntity {
  return {
    what: { type: 'Patient', identifier: patient },
    type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
    role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
  };
}

/** The correlation entity carrying the X-Request-Id (BALP). */
export function requestIdEntity(requestId: string): AuditEventEntity {
  return {
    what: { identifier: { value: requestId } },
    type: { system: BALP_ENTITY_TYPE, code: 'XrequestId' },
  };
}

/** Query parameters that carry credentials (OAuth 2.0 / OpenID Connect), never kept in the trail. */
const SECRET_PARAMETERS = new Set([
  'access_token',
  'id_token',
  'refresh_token',
  'token',
  'client_secret',
  'client_assertion',
  'assertion',
]);

/**
 * The raw query as received, but for the value of a parameter that carries a credential (a
 * client that put its token in the URL): `access_token=[redacted]`. The services never read a
 * token from the query, but the trail must not keep one.
 */
export function withoutCredentials(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      let decoded: string;
      try {
        decoded = decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        decoded = name;
      }
      return SECRET_PARAMETERS.has(decoded.trim().toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
}

/**
 * The query entity: the raw query, base64, as received (BALP) less any credential
 * (`withoutCredentials`), never the results.
 */
export function queryEntity(query: string): AuditEventEntity {
  return {
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
    query: Buffer.from(withoutCredentials(query), 'utf8').toString('base64'),
  };
}

/** What the refused request aimed at: the service's trace facts, else the route. */
function describe(refusal: Refusal): string {
  const reason = refusal.context?.reason;
  return `${refusal.error.code}: ${refusal.error.message}${reason ? ` (${reason})` : ''}`;
}

/**
 * The AuditEvent of a refused request (BALP REST pattern, outcome 4 for a refusal, 8 for a
 * server failure), for a service whose refusals have no more specific shape. Carries who, the
 * route, the patient and resources when the service knew them, the raw query, the request id,
 * and the error code with the real reason in `outcomeDesc`.
 */
export function buildRefusalEvent(
  refusal: Refusal,
  observer: { display: string; subtype?: Coding },
  recorded: Date = new Date(),
): AuditEvent {
  const context = refusal.context ?? {};
  const entity: AuditEventEntity[] = [
    ...(context.patient ? [patientEntity(context.patient)] : []),
    ...(context.entities ?? []).map((reference): AuditEventEntity => ({
      what: { reference },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    })),
    ...(refusal.query !== '' ? [queryEntity(refusal.query)] : []),
    {
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      description: `${refusal.method} ${refusal.route}`,
    },
    requestIdEntity(refusal.requestId),
  ];
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: { system: EVENT_TYPE, code: 'rest' },
    subtype: [
      { system: RESTFUL_INTERACTION, code: interactionOf(refusal) },
      ...(observer.subtype ? [observer.subtype] : []),
    ],
    action: ACTION_OF[refusal.method] ?? 'E',
    recorded: recorded.toISOString(),
    outcome: refusal.status >= 500 ? '8' : '4',
    outcomeDesc: describe(refusal),
    agent: [
      userAgentOf(refusal.actor),
      {
        type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
        who: { display: observer.display },
        requestor: false,
      },
    ],
    source: {
      observer: { display: observer.display },
      type: [{ system: SECURITY_SOURCE_TYPE, code: '4' }],
    },
    entity,
  };
}
