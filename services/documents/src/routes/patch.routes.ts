import { fhirError } from '@dmp/errors';
import { parseIfMatch, versionHeaders, type FhirRequest, type RouteDefinition } from '@dmp/http';
import { updateMetadata, type PatchTarget } from '../use-cases/update-metadata';
import { callOf, type ContextSource } from './call';

/** PDSm metadata update: `PATCH DocumentReference/[id]` and `PATCH DocumentReference?identifier=`. */
export function patchRoutes(context: ContextSource): RouteDefinition[] {
  const patch =
    (targetOf: (request: FhirRequest) => PatchTarget) => async (request: FhirRequest) => {
      const document = await updateMetadata(
        context(),
        callOf(request),
        targetOf(request),
        request.body,
        parseIfMatch(request.headers['if-match']),
      );
      return { status: 200, resource: document, headers: versionHeaders(document) };
    };
  return [
    {
      method: 'PATCH',
      path: '/DocumentReference/:id',
      body: 'patch',
      capability: { resourceType: 'DocumentReference', interaction: 'patch' },
      traceAs: 'PDSm-update',
      handler: patch((request) => ({ id: request.params.id ?? '' })),
    },
    {
      method: 'PATCH',
      path: '/DocumentReference',
      body: 'patch',
      capability: { resourceType: 'DocumentReference', interaction: 'patch' },
      traceAs: 'PDSm-update',
      handler: patch((request) => {
        const identifier = request.searchParams.get('identifier');
        if (identifier === null) {
          throw fhirError(
            'DMP-SEARCH-INVALID-VALUE',
            'A conditional patch names the document by identifier',
            'identifier',
          );
        }
        return { identifier };
      }),
    },
  ];
}
