import type { Consent, Patient } from 'fhir/r4';
import { requireScope } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import { etagOf, parseETag, parseSearch, searchParametersFor } from '@dmp/fhir';
import type { FhirRequest, FhirResult, RouteDefinition } from '@dmp/http';
import type { ConsentServices } from '../use-cases/context';
import { consentHistory, readResource, searchResources } from '../use-cases/read-resources';
import { callerOf } from './caller';
import { patientKeyOf } from './patient-key';

function resourceResult(resource: Consent | Patient, status = 200): FhirResult {
  const version = resource.meta?.versionId;
  return {
    status,
    resource,
    headers: {
      ...(version ? { ETag: etagOf(version) } : {}),
      ...(resource.meta?.lastUpdated
        ? { 'Last-Modified': new Date(resource.meta.lastUpdated).toUTCString() }
        : {}),
    },
  };
}

export { resourceResult };

function selfUrl(request: FhirRequest, type: string): string {
  const query = request.searchParams.toString();
  return `${request.baseUrl}/${type}${query ? `?${query}` : ''}`;
}

/** TD0.2: a patient named by INS must be a well-formed INS. */
function checkPatientSearch(request: FhirRequest): void {
  const values = request.searchParams.getAll('identifier').flatMap((v) => v.split(','));
  for (const value of values) {
    const [system, ins] = value.includes('|') ? value.split('|', 2) : [undefined, value];
    patientKeyOf({ ...(system ? { system } : {}), value: ins ?? '' }, 'identifier');
  }
}

function searchRoute(
  services: ConsentServices,
  type: 'Patient' | 'Consent' | 'Communication',
): RouteDefinition {
  return {
    method: 'GET',
    path: `/${type}`,
    capability: {
      resourceType: type,
      interaction: 'search-type',
      searchParams: searchParametersFor(type),
    },
    authorize: (actor) => requireScope(actor, type, 's'),
    handler: async (request) => {
      if (type === 'Patient') checkPatientSearch(request);
      const { query } = parseSearch(type, request.searchParams, {
        lenient: request.prefer.handling === 'lenient',
        baseUrl: request.baseUrl,
      });
      const { actor } = callerOf(request);
      const bundle = await searchResources(
        services,
        actor,
        query,
        selfUrl(request, type),
        request.baseUrl,
      );
      return { status: 200, resource: bundle };
    },
  };
}

function readRoute(services: ConsentServices, type: 'Patient' | 'Consent'): RouteDefinition {
  return {
    method: 'GET',
    path: `/${type}/:id`,
    capability: { resourceType: type, interaction: 'read' },
    authorize: (actor) => requireScope(actor, type, 'r'),
    handler: async (request) => {
      const resource = await readResource(
        services,
        callerOf(request).actor,
        type,
        request.params['id'] ?? '',
      );
      return resourceResult(resource);
    },
  };
}

/** Read, search and history of the DMP state (Patient), consents and notifications. */
export function fhirReadRoutes(services: ConsentServices): RouteDefinition[] {
  return [
    searchRoute(services, 'Patient'),
    readRoute(services, 'Patient'),
    searchRoute(services, 'Consent'),
    readRoute(services, 'Consent'),
    {
      method: 'GET',
      path: '/Consent/:id/_history',
      capability: { resourceType: 'Consent', interaction: 'history-instance' },
      authorize: (actor) => requireScope(actor, 'Consent', 'r'),
      handler: async (request) => ({
        status: 200,
        resource: await consentHistory(
          services,
          callerOf(request).actor,
          request.params['id'] ?? '',
          request.baseUrl,
        ),
      }),
    },
    {
      method: 'GET',
      path: '/Consent/:id/_history/:vid',
      capability: { resourceType: 'Consent', interaction: 'vread' },
      authorize: (actor) => requireScope(actor, 'Consent', 'r'),
      handler: async (request) => {
        const version = parseETag(request.params['vid']);
        if (version === undefined)
          throw fhirError('DMP-RESOURCE-VERSION-NOT-FOUND', 'Bad version id', 'vid');
        const resource = await readResource<Consent>(
          services,
          callerOf(request).actor,
          'Consent',
          request.params['id'] ?? '',
          version,
        );
        return resourceResult(resource);
      },
    },
    searchRoute(services, 'Communication'),
  ];
}
