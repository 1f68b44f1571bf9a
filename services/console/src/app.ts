import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { DevIssuer } from '@dmp/auth';
import { fhirError, isFhirError } from '@dmp/errors';
import { mapBodyParserError, type Logger } from '@dmp/http';
import { randomUUID } from 'node:crypto';
import type { CookiePolicy } from './cookies';
import type { OidcSignIn } from './oidc';
import type { UpstreamName } from './proxy';
import { renewerOf } from './renewal';
import { localsOf, requireCsrfToken, requireSameOrigin, requireSession } from './routes/guards';
import { proxyRoutes } from './routes/proxy.routes';
import { consoleEndpointsOf, type ConsoleRoute } from './routes/route-table';
import { signInRoutes } from './routes/sign-in.routes';
import { staticRoutes } from './routes/static.routes';
import type { SessionCookies } from './sessions';

export { consoleSettings } from './settings';
export { SessionCookies, type Session, type SessionUser } from './sessions';
export { CookieSealer, loadSessionKeys } from './sealing';
export { COOKIE_PIECE_CHARS, MAX_SESSION_PIECES } from './cookies';
export { OidcSignIn, type OidcProviderSettings, type ProviderId } from './oidc';
export type { UpstreamName } from './proxy';

export interface ConsoleDeps {
  logger: Logger;
  /**
   * Sessions and sign-ins in progress sealed into cookies, with keys every instance shares; idle
   * and absolute lifetimes.
   */
  sessions: SessionCookies;
  /** Root URL of each service the console calls for the signed-in user. */
  upstreams: Readonly<Record<UpstreamName, string>>;
  upstreamTimeoutMs: number;
  /** Directory of the built single-page app (`index.html`, `assets/`). */
  webDir: string;
  /** The console's public origin; when unset, the Host a request came to. */
  publicUrl?: string;
  /** Development sign-in (choose an actor) when set. */
  devIssuer?: DevIssuer;
  /** OpenID Connect sign-in when set. */
  oidc?: OidcSignIn;
  /** Served at `GET /openapi.json`. */
  openApi?: object;
}

/**
 * Content Security Policy of the app: its own scripts, styles and API only; no inline script,
 * no framing, no plugin. `upgrade-insecure-requests` only when served over https.
 */
function contentSecurityPolicy(secure: boolean) {
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      manifestSrc: ["'self'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      ...(secure ? { upgradeInsecureRequests: [] } : {}),
    },
  };
}

/** Every route of the console: sign-in, session, the services' FHIR APIs, the app itself. */
export function createRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const cookies = cookiePolicyOf(deps.publicUrl);
  return [
    {
      method: 'GET',
      path: '/healthz',
      access: 'public',
      handlers: [(_req, res) => void res.json({ status: 'ok' })],
    },
    {
      method: 'GET',
      path: '/openapi.json',
      access: 'public',
      handlers: [
        (req, res) => {
          if (!deps.openApi) throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'No OpenAPI document');
          const root = deps.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
          res.json({ ...deps.openApi, servers: [{ url: root }] });
        },
      ],
    },
    ...signInRoutes({ ...deps, cookies }),
    ...proxyRoutes({ ...deps, cookies, renew: renewerOf(deps) }),
    ...staticRoutes(deps.webDir),
  ];
}

export function cookiePolicyOf(publicUrl: string | undefined): CookiePolicy {
  return { secure: publicUrl?.startsWith('https://') ?? false };
}

/**
 * The console service: the single-page app and its backend for frontend. The browser holds a
 * sealed session cookie (encrypted: it never sees the access token, which the console adds to
 * each call to a service); any instance with the same keys serves it.
 */
export function createConsoleApp(deps: ConsoleDeps): Express {
  const cookies = cookiePolicyOf(deps.publicUrl);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', false);
  app.use(trackRequest(deps.logger));
  app.use(
    helmet({
      contentSecurityPolicy: contentSecurityPolicy(cookies.secure),
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: cookies.secure,
    }),
  );
  const session = requireSession(deps.sessions, cookies);
  const sameOrigin = requireSameOrigin(deps.publicUrl);
  const guards: Record<ConsoleRoute['access'], RequestHandler[]> = {
    public: [],
    'public+origin': [sameOrigin],
    session: [session],
    'session+csrf': [sameOrigin, session, requireCsrfToken],
  };
  const methodsByPath = new Map<string, string[]>();
  for (const route of createRoutes(deps)) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch';
    app[method](route.path, ...guards[route.access], ...route.handlers);
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  }
  for (const [path, methods] of methodsByPath) {
    app.all(path, (req, res) => {
      res.set('Allow', methods.join(', '));
      throw fhirError('DMP-HTTP-METHOD-NOT-ALLOWED', `${req.method} is not allowed here`);
    });
  }
  // Unknown API paths need a session too: no anonymous map of what exists.
  app.use('/api', session, (req) => {
    throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', `No endpoint at /api${req.path}`);
  });
  app.use((req) => {
    throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', `No endpoint at ${req.path}`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/** The endpoints the app mounts (compared with `openapi/console.openapi.json`). */
export function consoleEndpoints(): string[] {
  const noDeps = { upstreams: {}, webDir: '.' } as unknown as ConsoleDeps;
  return consoleEndpointsOf(createRoutes(noDeps));
}

/** Request id in and out, one log line per request: route pattern, status, time; no query. */
function trackRequest(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming)
        ? incoming
        : randomUUID();
    localsOf(res).requestId = requestId;
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route ? String((req.route as { path: unknown }).path) : 'unmatched';
      logger.info(
        {
          reqId: requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
          actor: localsOf(res).session?.user.kind,
        },
        'request',
      );
    });
    next();
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    let fault = isFhirError(error) ? error : mapBodyParserError(error, 'the limit of its route');
    if (!fault) {
      logger.error({ err: error, reqId: localsOf(res).requestId }, 'unhandled error');
      fault = fhirError('DMP-INTERNAL', 'Unexpected server error; quote the X-Request-Id');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.set(fault.headers);
    res.status(fault.status).type('application/fhir+json').send(JSON.stringify(fault.outcome));
  };
}
