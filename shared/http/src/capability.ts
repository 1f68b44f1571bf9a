import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
} from 'fhir/r4';
import type { RouteDefinition } from './route';

export interface CapabilityInfo {
  /** Machine-friendly name, e.g. `DmpDocuments`. */
  name: string;
  title: string;
  description: string;
  /** Canonicals of the CapabilityStatements this server conforms to (MHD, PDSm actors). */
  instantiates?: string[];
}

/**
 * The CapabilityStatement, derived from the very route table that mounts the routes, so that
 * what the server claims and what it serves cannot drift apart.
 */
export function buildCapabilityStatement(
  info: CapabilityInfo,
  softwareVersion: string,
  routes: readonly RouteDefinition[],
  baseUrl: string,
): CapabilityStatement {
  const resources = new Map<string, CapabilityStatementRestResource>();
  const resourceFor = (type: string): CapabilityStatementRestResource => {
    const existing = resources.get(type);
    if (existing) return existing;
    const created: CapabilityStatementRestResource = {
      type: type as CapabilityStatementRestResource['type'],
    };
    resources.set(type, created);
    return created;
  };
  const systemInteractions = new Set<string>();
  const systemOperations = new Map<string, string>();

  for (const { capability } of routes) {
    if (!capability) continue;
    if ('system' in capability) {
      systemInteractions.add(capability.system);
    } else if ('interaction' in capability) {
      const resource = resourceFor(capability.resourceType);
      addOnce(
        resource,
        'interaction',
        { code: capability.interaction },
        (a, b) => a.code === b.code,
      );
      for (const profile of capability.profiles ?? []) {
        resource.supportedProfile = [...new Set([...(resource.supportedProfile ?? []), profile])];
      }
      for (const parameter of capability.searchParams ?? []) {
        const searchParam: CapabilityStatementRestResourceSearchParam = {
          name: parameter.code,
          definition: parameter.definition,
          type: parameter.type,
        };
        addOnce(resource, 'searchParam', searchParam, (a, b) => a.name === b.name);
      }
    } else if ('resourceType' in capability) {
      const resource = resourceFor(capability.resourceType);
      addOnce(resource, 'operation', capability.operation, (a, b) => a.name === b.name);
    } else {
      systemOperations.set(capability.operation.name, capability.operation.definition);
    }
  }

  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString().slice(0, 10),
    kind: 'instance',
    name: info.name,
    title: info.title,
    description: info.description,
    ...(info.instantiates ? { instantiates: info.instantiates } : {}),
    software: { name: info.title, version: softwareVersion },
    implementation: { description: info.title, url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json', 'application/fhir+xml', 'xml'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          description:
            'OAuth 2.0 Bearer JWT (RS256, ES256 or EdDSA) with IHE IUA claims; SMART v1/v2 and IUA transaction scopes.',
        },
        resource: [...resources.values()].sort((a, b) => a.type.localeCompare(b.type)),
        ...(systemInteractions.size > 0
          ? {
              interaction: [...systemInteractions].map((code) => ({ code: code as 'transaction' })),
            }
          : {}),
        ...(systemOperations.size > 0
          ? {
              operation: [...systemOperations].map(([name, definition]) => ({ name, definition })),
            }
          : {}),
      },
    ],
  };
}

function addOnce<K extends 'interaction' | 'searchParam' | 'operation'>(
  resource: CapabilityStatementRestResource,
  key: K,
  item: NonNullable<CapabilityStatementRestResource[K]>[number],
  same: (
    a: NonNullable<CapabilityStatementRestResource[K]>[number],
    b: NonNullable<CapabilityStatementRestResource[K]>[number],
  ) => boolean,
): void {
  const list = (resource[key] ?? []) as NonNullable<CapabilityStatementRestResource[K]>[number][];
  if (!list.some((existing) => same(existing, item))) list.push(item);
  (resource as Record<K, unknown>)[key] = list;
}
