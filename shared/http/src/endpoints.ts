import { FHIR_BASE_PATH } from './create-app';
import type { RouteDefinition } from './route';

/** Endpoints every service app serves besides its FHIR routes. */
const FIXED_ENDPOINTS = [
  'GET /fhir/metadata',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /openapi.json',
];

/**
 * Every endpoint an app built from `routes` serves (`root` routes as mounted), as `METHOD /path` with OpenAPI path
 * templates (`/fhir/DocumentReference/{id}`), sorted. Tests compare it to `openapi/`.
 */
export function endpointsOf(routes: readonly RouteDefinition[]): string[] {
  const fhir = routes.map((route) => {
    const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    if (route.root) return `${route.method} ${path}`;
    return `${route.method} ${FHIR_BASE_PATH}${path === '/' ? '' : path}`;
  });
  return [...new Set([...FIXED_ENDPOINTS, ...fhir])].sort();
}
