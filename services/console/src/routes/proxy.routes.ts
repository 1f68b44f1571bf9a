import express, { type RequestHandler } from 'express';
import { fhirError } from '@dmp/errors';
import { clearSessionCookie, type CookiePolicy } from '../cookies';
import { proxyToService, upstreamUrlOf, UPSTREAMS, type UpstreamName } from '../proxy';
import { currentAccessToken, type Renew, type SessionCookies } from '../sessions';
import { localsOf, saveSession, sessionOf } from './guards';
import type { ConsoleMethod, ConsoleRoute } from './route-table';

export interface ProxyDeps {
  /** Root URL of each service. */
  upstreams: Readonly<Record<UpstreamName, string>>;
  upstreamTimeoutMs: number;
  sessions: SessionCookies;
  cookies: CookiePolicy;
  /** Renews an access token about to expire (dev re-mint, OpenID Connect refresh). */
  renew: Renew;
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
    let current;
    try {
      current = await currentAccessToken(session, deps.renew);
    } catch {
      clearSessionCookie(res, deps.cookies);
      throw fhirError('DMP-CONSOLE-SIGN-IN-REQUIRED', 'The session expired: sign in again');
    }
    // Renewed: the new token (and refresh token) travel back sealed in the cookie.
    if (current.renewed) await saveSession(req, res, deps, session);
    const { accessToken } = current;
    await proxyToService(req, res, {
      upstream,
      consoleBase: `/api/fhir/${service}`,
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
