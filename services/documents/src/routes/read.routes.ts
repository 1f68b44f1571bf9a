import {
  requestedMediaType,
  versionHeaders,
  type FhirResult,
  type RouteDefinition,
} from '@dmp/http';
import { publicBinary } from '../domain/binary-link';
import { readHistory, readResource, type ReadableType } from '../use-cases/read-resources';
import { retrieveDocument } from '../use-cases/retrieve-document';
import { callOf, type ContextSource } from './call';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `read`, `vread` and `_history` for DocumentReference and List; ITI-68 on `Binary/[id]`. */
export function readRoutes(context: ContextSource): RouteDefinition[] {
  const reads = (['DocumentReference', 'List'] as const).flatMap(
    (type: ReadableType): RouteDefinition[] => [
      {
        method: 'GET',
        path: `/${type}/:id`,
        capability: { resourceType: type, interaction: 'read' },
        traceAs: 'read',
        handler: async (request) => {
          const resource = await readResource(
            context(),
            callOf(request),
            type,
            request.params.id ?? '',
          );
          return { status: 200, resource, headers: versionHeaders(resource) };
        },
      },
      {
        method: 'GET',
        path: `/${type}/:id/_history/:vid`,
        capability: { resourceType: type, interaction: 'vread' },
        traceAs: 'read',
        handler: async (request) => {
          const resource = await readResource(
            context(),
            callOf(request),
            type,
            request.params.id ?? '',
            request.params.vid ?? '',
          );
          return { status: 200, resource, headers: versionHeaders(resource) };
        },
      },
      {
        method: 'GET',
        path: `/${type}/:id/_history`,
        capability: { resourceType: type, interaction: 'history-instance' },
        traceAs: 'read',
        handler: async (request) => ({
          status: 200,
          resource: await readHistory(context(), callOf(request), type, request.params.id ?? ''),
        }),
      },
    ],
  );
  const retrieve: RouteDefinition = {
    method: 'GET',
    path: '/Binary/:id',
    produces: 'any',
    capability: { resourceType: 'Binary', interaction: 'read' },
    traceAs: 'ITI-68',
    handler: async (request): Promise<FhirResult> => {
      const result = await retrieveDocument(context(), callOf(request), {
        id: request.params.id ?? '',
        accept: requestedMediaType(
          request.searchParams.get('_format'),
          header(request.headers.accept),
        ),
        range: header(request.headers.range),
        ifNoneMatch: header(request.headers['if-none-match']),
      });
      switch (result.kind) {
        case 'not-modified':
          return { status: 304, headers: result.headers };
        case 'resource':
          return { status: 200, resource: publicBinary(result.binary), headers: result.headers };
        case 'bytes':
          return {
            status: result.status,
            stream: result.stream,
            contentType: result.contentType,
            headers: result.headers,
          };
      }
    },
  };
  return [...reads, retrieve];
}
