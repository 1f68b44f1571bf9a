import express, { type RequestHandler } from 'express';
import { fhirError } from '@dmp/errors';
import { clearCookie, sessionCookieName, type CookiePolicy } from '../cookies';
import { proxyToService, upstreamUrlOf, UPSTREAMS, type UpstreamName } from '../proxy';
import { currentAccessToken, type SessionStore } from '../sessions';
import { localsOf, sessionOf } from './guards';
import type { ConsoleMethod, ConsoleRoute } from './route-table';

export interface ProxyDeps {
  /** Root URL of each service. */
  upstreams: Readonly<Record<UpstreamName, string>>;
  upstreamTimeoutMs: number;
  sessions: SessionStore;
  cookies: CookiePolicy;
}

const PROXY_PATH = '/api/fhir/:service/{*path}';
/** Bodies the console sends: consent changes, PDSm patches, break-glass reviews. */
const BODY_LIMIT = '256kb';

/**
 * `/api/fhir/<service>/<FHIR path>`: the service's FHIR API as the signed-in user. GET reads;
 * POST and PATCH (operations, metadata updates) need the CSRF token.
 */
export function proxyRoutes(deps: ProxyDeps): ConsoleRoute[] {
  const forward: RequestHandler = async (req, res) => {
    const service = UPSTREAMS.find((name) => name === req.params.service);
    if (!service) throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'No such service behind the console');
    const path = (req.params as { path?: string[] }).path ?? [];
    const queryIndex = req.originalUrl.indexOf('?');
    const query = queryIndex >= 0 ? req.originalUrl.slice(queryIndex) : '';
    const upstream = upstreamUrlOf(deps.upstreams[service], path.join('/'), query);
    if (!upstream) throw fhirError('DMP-CONSOLE-REQUEST-INVALID', 'Not a FHIR path', 'path');
    const session = sessionOf(res);
    let accessToken: string;
    try {
      accessToken = await currentAccessToken(session);
    } catch {
      deps.sessions.destroy(session.id);
      clearCookie(res, deps.cookies, sessionCookieName(deps.cookies));
      throw fhirError('DMP-CONSOLE-SIGN-IN-REQUIRED', 'The session expired: sign in again');
    }
    await proxyToService(req, res, {
      upstream,
      accessToken,
      requestId: localsOf(res).requestId,
      timeoutMs: deps.upstreamTimeoutMs,
    });
  };
  const route = (method: ConsoleMethod): ConsoleRoute => ({
    method,
    path: PROXY_PATH,
    access: method === 'GET' ? 'session' : 'session+csrf',
    handlers: [
      ...(method === 'GET' ? [] : [express.raw({ type: () => true, limit: BODY_LIMIT })]),
      forward,
    ],
  });
  return [route('GET'), route('POST'), route('PATCH')];
}
