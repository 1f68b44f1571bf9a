import path from 'node:path';
import { createRoutes as auditRoutes } from '@dmp/audit-service';
import { createRoutes as consentRoutes } from '@dmp/consent-service';
import { createRoutes as documentsRoutes } from '@dmp/documents-service';
import { loadOpenApiDocument, type RouteDefinition } from '@dmp/http';

const root = path.resolve(__dirname, '..', '..', '..');
const noDeps = {} as never;

interface Operation {
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { content?: Record<string, unknown>; $ref?: string }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content?: Record<string, unknown> }> };
};

const openApiPath = (route: RouteDefinition) =>
  route.root
    ? route.path
    : `/fhir${route.path === '/' ? '' : route.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;

describe.each<[string, (deps: never) => RouteDefinition[]]>([
  ['documents', documentsRoutes],
  ['consent', consentRoutes],
  ['audit', auditRoutes],
])('openapi/%s.openapi.json media types', (name, createRoutes) => {
  const document = loadOpenApiDocument(path.join(root, 'openapi'), name) as unknown as Document;
  const routes = createRoutes(noDeps);
  const operationOf = (route: RouteDefinition): Operation | undefined =>
    document.paths[openApiPath(route)]?.[route.method.toLowerCase()];

  it('documents FHIR XML beside FHIR JSON for every resource body of a FHIR route', () => {
    const requestTypes = routes
      .filter((route) => route.body === 'resource' || route.body === 'patch')
      .map((route) => ({
        endpoint: `${route.method} ${openApiPath(route)}`,
        xml: Object.keys(operationOf(route)?.requestBody?.content ?? {}).includes(
          'application/fhir+xml',
        ),
      }));
    const expected = routes
      .filter((route) => route.body === 'resource' || route.body === 'patch')
      .map((route) => ({
        endpoint: `${route.method} ${openApiPath(route)}`,
        xml: route.body === 'resource' && route.root !== true,
      }));

    expect(requestTypes).toEqual(expected);
  });

  it('documents every FHIR JSON answer in FHIR XML too (errors included)', () => {
    const missing: string[] = [];
    const operations = [
      ...routes.map(
        (route) => [`${route.method} ${openApiPath(route)}`, operationOf(route)] as const,
      ),
      ['GET /fhir/metadata', document.paths['/fhir/metadata']?.get] as const,
    ];
    for (const [endpoint, operation] of operations) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        const resolved = response.$ref
          ? document.components.responses[response.$ref.split('/').pop() ?? '']
          : response;
        const types = Object.keys(resolved?.content ?? {});
        if (types.includes('application/fhir+json') && !types.includes('application/fhir+xml')) {
          missing.push(`${endpoint} ${status}`);
        }
      }
    }

    expect(missing).toEqual([]);
  });
});
