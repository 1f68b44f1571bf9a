import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRoutes as auditRoutes } from '@dmp/audit-service';
import { consoleEndpoints } from '@dmp/console-service';
import { createRoutes as consentRoutes } from '@dmp/consent-service';
import { createRoutes as documentsRoutes } from '@dmp/documents-service';
import { ERROR_CATALOGUE } from '@dmp/errors';
import { endpointsOf, loadOpenApiDocument, type RouteDefinition } from '@dmp/http';

const root = path.resolve(__dirname, '..', '..', '..');

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: { ErrorCode?: { enum?: string[] } } };
}

function readOpenApi(name: string): OpenApiDocument {
  return JSON.parse(
    readFileSync(path.join(root, 'openapi', `${name}.openapi.json`), 'utf8'),
  ) as OpenApiDocument;
}

function documentedEndpoints(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([route, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`),
    )
    .sort();
}

// The route builders only keep their dependencies for the handlers; listing them needs none.
const noDeps = {} as never;

describe.each<[string, (deps: never) => RouteDefinition[]]>([
  ['documents', documentsRoutes],
  ['consent', consentRoutes],
  ['audit', auditRoutes],
])('openapi/%s.openapi.json', (name, createRoutes) => {
  it('documents exactly the endpoints the service mounts', () => {
    expect(documentedEndpoints(readOpenApi(name))).toEqual(endpointsOf(createRoutes(noDeps)));
  });
});

describe('openapi/console.openapi.json', () => {
  it('documents exactly the endpoints the console mounts', () => {
    expect(documentedEndpoints(readOpenApi('console'))).toEqual(consoleEndpoints());
  });
});

describe.each(['documents', 'consent', 'audit', 'console'])(
  '%s /openapi.json as served',
  (name) => {
    const served = JSON.stringify(loadOpenApiDocument(path.join(root, 'openapi'), name));

    it('is self-contained: every $ref points inside the document and resolves', () => {
      const document = JSON.parse(served) as Record<string, unknown>;
      const refs = [...served.matchAll(/"\$ref":"([^"]*)"/g)].map((match) => match[1] ?? '');
      const unresolved = refs.filter(
        (ref) =>
          !ref.startsWith('#/') ||
          ref
            .slice(2)
            .split('/')
            .reduce<unknown>(
              (node, key) => (node as Record<string, unknown> | undefined)?.[key],
              document,
            ) === undefined,
      );

      expect(refs.length).toBeGreaterThan(0);
      expect(unresolved).toEqual([]);
    });
  },
);

describe('the error catalogue', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const documented = readOpenApi('components').components?.schemas?.ErrorCode?.enum ?? [];

  it.each(Object.keys(ERROR_CATALOGUE))(
    'lists %s in the README and in openapi/components',
    (code) => {
      expect(readme).toContain(
        `| \`${code}\` | ${ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].status} |`,
      );
      expect(documented).toContain(code);
    },
  );

  it('documents no code that does not exist', () => {
    expect(documented.filter((code) => !(code in ERROR_CATALOGUE))).toEqual([]);
  });
});
