import { searchParametersFor } from '@dmp/fhir';
import type { FhirRequest, RouteDefinition } from '@dmp/http';
import { DOCUMENT_REFERENCE_PROFILES, LIST_PROFILES } from '../domain/constants';
import { findResources, type SearchableType } from '../use-cases/find-resources';
import { callOf, type ContextSource } from './call';

/** ITI-67 (DocumentReference) and ITI-66 (List): `GET [type]` and `POST [type]/_search`. */
export function searchRoutes(context: ContextSource): RouteDefinition[] {
  const search = (type: SearchableType) => async (request: FhirRequest) => ({
    status: 200,
    resource: await findResources(
      context(),
      callOf(request),
      type,
      request.searchParams,
      request.prefer.handling === 'lenient',
    ),
  });
  return (['DocumentReference', 'List'] as const).flatMap((type): RouteDefinition[] => {
    const traceAs = type === 'DocumentReference' ? 'ITI-67' : 'ITI-66';
    const capability = {
      resourceType: type,
      interaction: 'search-type' as const,
      searchParams: searchParametersFor(type),
      profiles: type === 'DocumentReference' ? DOCUMENT_REFERENCE_PROFILES : LIST_PROFILES,
    };
    return [
      { method: 'GET', path: `/${type}`, capability, traceAs, handler: search(type) },
      {
        method: 'POST',
        path: `/${type}/_search`,
        body: 'search-form',
        capability,
        traceAs,
        handler: search(type),
      },
    ];
  });
}
