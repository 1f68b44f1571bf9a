import type { RequestHandler } from 'express';

export type ConsoleMethod = 'GET' | 'POST' | 'PATCH';

/**
 * One endpoint of the console service. `access` says who may call it: `public` (sign-in, the
 * app's static files, health), `session` (a signed-in user), `session+csrf` (a signed-in user's
 * state-changing call: same origin and the session's CSRF token).
 */
export interface ConsoleRoute {
  method: ConsoleMethod;
  /** Express path, e.g. `/api/fhir/:service/{*path}`. */
  path: string;
  access: 'public' | 'public+origin' | 'session' | 'session+csrf';
  handlers: RequestHandler[];
}

/** `METHOD /path` with OpenAPI path templates, sorted: compared with `openapi/console.openapi.json`. */
export function consoleEndpointsOf(routes: readonly ConsoleRoute[]): string[] {
  return routes
    .map((route) => {
      const path = route.path
        .replace(/\{\*([A-Za-z_]+)\}/g, '{$1}')
        .replace(/:([A-Za-z_]+)/g, '{$1}');
      return `${route.method} ${path}`;
    })
    .sort();
}
