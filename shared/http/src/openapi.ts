import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The shared OpenAPI file whose components the service documents refer to. */
export const OPENAPI_COMPONENTS_FILE = 'components.openapi.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `components.openapi.json#/components/…` → `#/components/…`, everywhere in `value`. */
function localRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(localRefs);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string' && item.startsWith(`${OPENAPI_COMPONENTS_FILE}#`)
        ? item.slice(OPENAPI_COMPONENTS_FILE.length)
        : localRefs(item),
    ]),
  );
}

/**
 * One self-contained OpenAPI document for a service: `<dir>/<service>.openapi.json` with the
 * shared `<dir>/components.openapi.json` merged into its `components` (the service's own win)
 * and every reference to the shared file made local, so any tool can read it alone.
 */
export function loadOpenApiDocument(dir: string, service: string): JsonObject {
  const read = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Json;
  const own = localRefs(read(`${service}.openapi.json`));
  const shared = localRefs(read(OPENAPI_COMPONENTS_FILE));
  if (!isObject(own)) throw new Error(`${service}.openapi.json is not a JSON object`);
  const sharedComponents = isObject(shared) ? shared.components : undefined;
  const components: JsonObject = isObject(sharedComponents) ? { ...sharedComponents } : {};
  const ownComponents = own.components;
  for (const [section, entries] of Object.entries(isObject(ownComponents) ? ownComponents : {})) {
    const base = components[section];
    components[section] =
      isObject(base) && isObject(entries) ? { ...base, ...entries } : (entries ?? null);
  }
  return { ...own, components };
}

/** The document as served: `servers` is where the caller reached the service. */
export function servedOpenApiDocument(document: object, rootUrl: string): object {
  return { ...document, servers: [{ url: rootUrl }] };
}
