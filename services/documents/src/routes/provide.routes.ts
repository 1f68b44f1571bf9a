import { BUNDLE_PROFILES, SIMPLIFIED_PUBLISH_PROFILES } from '../domain/constants';
import { versionHeaders, type RouteDefinition } from '@dmp/http';
import { liftAttachments, liftBinaryEntries } from '../domain/document-bytes';
import { provideBundle } from '../use-cases/provide-bundle';
import { simplifiedPublish } from '../use-cases/simplified-publish';
import { callOf, type ContextSource } from './call';

/** ITI-65 Provide Document Bundle on the base (`POST [base]`, also `POST [base]/`). */
export function provideRoutes(context: ContextSource, bodyLimit: number): RouteDefinition[] {
  return [
    {
      method: 'POST',
      path: '/',
      body: 'resource',
      liftBase64: liftBinaryEntries,
      bodyLimit,
      capability: { system: 'transaction' },
      traceAs: 'ITI-65',
      handler: async (request) => ({
        status: 200,
        resource: await provideBundle(context(), callOf(request), request.body),
      }),
    },
    {
      method: 'POST',
      path: '/DocumentReference',
      body: 'resource',
      liftBase64: liftAttachments,
      bodyLimit,
      capability: {
        resourceType: 'DocumentReference',
        interaction: 'create',
        profiles: Object.values(SIMPLIFIED_PUBLISH_PROFILES),
      },
      traceAs: 'ITI-105',
      handler: async (request) => {
        const document = await simplifiedPublish(context(), callOf(request), request.body);
        const location = `${request.baseUrl}/DocumentReference/${document.id ?? ''}/_history/${document.meta?.versionId ?? '1'}`;
        return {
          status: 201,
          resource: document,
          headers: { ...versionHeaders(document), Location: location },
        };
      },
    },
  ];
}

export const PROVIDE_BUNDLE_PROFILES = Object.values(BUNDLE_PROFILES);
