import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Router,
} from 'express';
import helmet from 'helmet';
import type { Actor } from '@dmp/auth';
import { fhirError, isFhirError, traceOf, type FhirError } from '@dmp/errors';
import { bodyReader, mapBodyParserError } from './body';
import { buildCapabilityStatement, type CapabilityInfo } from './capability';
import { assertSearchSize, DEFAULT_LIMITS, type RequestLimits } from './limits';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { fhirFormatFor, preferredFormatOf } from './negotiation';
import { servedOpenApiDocument } from './openapi';
import { parsePrefer } from './prefer';
import { createUnauthenticatedLog, type RefusalTracer } from './refusals';
import { chooseRequestId } from './request-id';
import type { FhirRequest, HttpMethod, RouteDefinition } from './route';
import { sendOutcome, sendResult } from './send';

export const FHIR_BASE_PATH = '/fhir';

/** What every service gets from its composition root, whatever its features. */
export interface ServiceRuntimeDeps {
  /** Verifies the `Authorization` header and returns the caller; throws a 401 FhirError. */
  authenticate: (authorization: string | undefined) => Promise<Actor>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Largest accepted request body (bytes or a size such as `20mb`). */
  bodyLimit: string | number;
  /** Base URL clients use (behind a proxy); derived from the request's Host when absent. */
  publicBaseUrl?: string;
  softwareVersion: string;
  /** The service's OpenAPI document, served at `GET /openapi.json` (404 when absent). */
  openApi?: object;
  /** Input limits (JSON depth, search size); {@link DEFAULT_LIMITS} for what is not given. */
  limits?: Partial<RequestLimits>;
}

export interface ServiceAppDeps extends ServiceRuntimeDeps {
  capability: CapabilityInfo;
  routes: readonly RouteDefinition[];
  /** Throws when the service cannot serve (database down); used by `/readyz`. */
  readiness: () => Promise<void>;
  /** Records every refusal of an authenticated caller in the service's audit trail. */
  traceRefusal?: RefusalTracer;
}

interface RequestLocals {
  requestId: string;
  actor?: Actor;
  /** Route template of the endpoint that matched (metrics, logs, refusal traces). */
  route?: string;
  traceAs?: string;
  /** Successful answers logged at debug (see `RouteDefinition.quietLog`). */
  quietLog?: boolean;
}

function localsOf(res: express.Response): RequestLocals {
  return res.locals as RequestLocals;
}

/**
 * The Express app of a service: security headers, request ids, logs and metrics, the FHIR
 * routes under `/fhir` (authenticated unless public), `/fhir/metadata` built from the same route
 * table, health endpoints, and every error answered as an OperationOutcome.
 */
export function createServiceApp(deps: ServiceAppDeps): Express {
  const limits: RequestLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(trackRequest(deps));
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
  );

  const authenticate: RequestHandler = async (req, res, next) => {
    localsOf(res).actor = await deps.authenticate(req.headers.authorization);
    next();
  };

  app.get('/healthz', remember('/healthz'), (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', remember('/readyz'), async (_req, res) => {
    try {
      await deps.readiness();
      res.json({ status: 'ready' });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      throw fhirError('DMP-STORAGE-UNAVAILABLE', 'The service is not ready');
    }
  });
  app.get('/openapi.json', remember('/openapi.json'), (req, res) => {
    if (!deps.openApi) throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'No OpenAPI document loaded');
    const rootUrl = baseUrlOf(req, deps.publicBaseUrl).replace(/\/fhir$/, '');
    res.json(servedOpenApiDocument(deps.openApi, rootUrl));
  });
  app.get('/metrics', remember('/metrics'), authenticate, async (_req, res) => {
    const actor = localsOf(res).actor;
    if (actor?.kind !== 'system' && actor?.kind !== 'auditor') {
      throw fhirError('DMP-AUTH-FORBIDDEN', 'Metrics are for system or auditor tokens');
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use(FHIR_BASE_PATH, buildFhirRouter(deps, authenticate, limits));
  app.use(
    buildRouter(
      deps,
      authenticate,
      limits,
      deps.routes.filter((route) => route.root),
      '',
    ),
  );
  app.use((req, _res, next) => {
    next(fhirError('DMP-HTTP-ROUTE-NOT-FOUND', `No endpoint at ${req.path}`));
  });
  app.use(errorHandler(deps));
  return app;
}

function buildFhirRouter(
  deps: ServiceAppDeps,
  authenticate: RequestHandler,
  limits: RequestLimits,
): Router {
  const metadataRoute: RouteDefinition = {
    method: 'GET',
    path: '/metadata',
    public: true,
    handler: (request) =>
      Promise.resolve({
        status: 200,
        resource: buildCapabilityStatement(
          deps.capability,
          deps.softwareVersion,
          fhirRoutes,
          request.baseUrl,
        ),
      }),
  };
  const fhirRoutes = [metadataRoute, ...deps.routes.filter((route) => !route.root)];
  const router = buildRouter(deps, authenticate, limits, fhirRoutes, FHIR_BASE_PATH);
  // Unknown FHIR paths need a token too: without one they answer 401, not a 404 that would
  // tell an anonymous caller which endpoints exist.
  router.use(authenticate, (req, _res, next) => {
    next(fhirError('DMP-HTTP-ROUTE-NOT-FOUND', `No endpoint at ${req.baseUrl}${req.path}`));
  });
  return router;
}

/** One router per mount point: authentication, authorization, body, handler, then 405s. */
function buildRouter(
  deps: ServiceAppDeps,
  authenticate: RequestHandler,
  limits: RequestLimits,
  routes: readonly RouteDefinition[],
  mount: string,
): Router {
  const router = express.Router({ strict: false, caseSensitive: true });
  const methodsByPath = new Map<string, Set<HttpMethod>>();
  const publicPaths = new Set(routes.filter((r) => r.public).map((r) => r.path));
  const label = (path: string) => `${mount}${path === '/' && mount !== '' ? '' : path}`;
  for (const route of routes) {
    const handlers = [
      remember(label(route.path), route.traceAs, route.quietLog),
      ...(route.public ? [] : [authenticate]),
      ...(route.authorize ? [authorizeWith(route.authorize)] : []),
      ...bodyReader(
        route.body ?? 'none',
        route.bodyLimit ?? deps.bodyLimit,
        limits.jsonDepth,
        !route.root,
        route.liftBase64,
      ),
      handle(route, deps, limits),
    ];
    router[route.method.toLowerCase() as 'get'](route.path, ...handlers);
    const methods = methodsByPath.get(route.path) ?? new Set<HttpMethod>();
    methods.add(route.method);
    methodsByPath.set(route.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    // A wrong method on a protected path needs a token too: an anonymous caller learns nothing.
    const guard = publicPaths.has(path) ? [] : [authenticate];
    router.all(path, remember(label(path)), ...guard, (req, res, next) => {
      res.set('Allow', [...methods].join(', '));
      next(fhirError('DMP-HTTP-METHOD-NOT-ALLOWED', `${req.method} is not allowed here`));
    });
  }
  return router;
}

/** Notes which endpoint matched, so that every outcome (2xx or error) carries its template. */
function remember(route: string, traceAs?: string, quietLog?: boolean): RequestHandler {
  return (_req, res, next) => {
    const locals = localsOf(res);
    locals.route = route;
    if (traceAs !== undefined) locals.traceAs = traceAs;
    if (quietLog) locals.quietLog = true;
    next();
  };
}

function authorizeWith(check: (actor: Actor) => void): RequestHandler {
  return (_req, res, next) => {
    const actor = localsOf(res).actor;
    if (!actor) throw fhirError('DMP-AUTH-TOKEN-MISSING');
    check(actor);
    next();
  };
}

function handle(
  route: RouteDefinition,
  deps: ServiceAppDeps,
  limits: RequestLimits,
): RequestHandler {
  return async (req, res) => {
    const searchParams = new URLSearchParams(rawQueryOf(req.originalUrl));
    if (route.body === 'search-form' && typeof req.body === 'string') {
      for (const [name, value] of new URLSearchParams(req.body)) searchParams.append(name, value);
    }
    assertSearchSize(searchParams, limits);
    const format = fhirFormatFor(route, searchParams.get('_format'), req.headers.accept);
    const prefer = parsePrefer(req.headers.prefer);
    const locals = localsOf(res);
    const request: FhirRequest = {
      method: route.method,
      params: req.params as Record<string, string>,
      searchParams,
      body: route.body === 'resource' || route.body === 'patch' ? (req.body as unknown) : undefined,
      headers: req.headers,
      actor: locals.actor,
      requestId: locals.requestId,
      baseUrl: baseUrlOf(req, deps.publicBaseUrl),
      prefer,
    };
    const result = await route.handler(request);
    sendResult(res, route.method, prefer, result, format);
  };
}

function baseUrlOf(req: Request, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${FHIR_BASE_PATH}`;
}

/** Request id in and out, then one log line and the metrics when the response is finished. */
function trackRequest(deps: ServiceAppDeps): RequestHandler {
  return (req, res, next) => {
    const requestId = chooseRequestId(req.headers['x-request-id']);
    localsOf(res).requestId = requestId;
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const locals = localsOf(res);
      const route = locals.route ?? 'unmatched';
      deps.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.duration.observe({ method: req.method, route }, seconds);
      const level = locals.quietLog && res.statusCode < 400 ? 'debug' : 'info';
      deps.logger[level](
        {
          reqId: requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          actor: locals.actor?.kind,
        },
        'request',
      );
    });
    next();
  };
}

/**
 * Every error leaves as an OperationOutcome. Before it does, a refusal of an authenticated caller
 * is recorded through `traceRefusal` (401s are only counted and logged, rate-limited), and a
 * server-side failure is logged with its root cause.
 */
function errorHandler(deps: ServiceAppDeps): ErrorRequestHandler {
  const logUnauthenticated = createUnauthenticatedLog(deps.logger);
  return async (error: unknown, req, res, _next) => {
    const locals = localsOf(res);
    let fault: FhirError | undefined = isFhirError(error)
      ? error
      : mapBodyParserError(error, deps.bodyLimit);
    if (!fault) {
      deps.logger.error({ err: error, reqId: locals.requestId }, 'unhandled error');
      fault = fhirError('DMP-INTERNAL', 'Unexpected server error; quote the X-Request-Id');
    } else if (fault.status >= 500) {
      deps.logger.error(
        { err: fault, cause: fault.cause, reqId: locals.requestId, route: locals.route },
        'request failed on the server side',
      );
    }
    if (fault.status === 401) {
      deps.metrics.unauthenticated.inc();
      logUnauthenticated();
    } else if (locals.actor && deps.traceRefusal) {
      try {
        await deps.traceRefusal({
          actor: locals.actor,
          requestId: locals.requestId,
          baseUrl: baseUrlOf(req, deps.publicBaseUrl),
          method: req.method,
          route: locals.route ?? 'unmatched',
          ...(locals.traceAs !== undefined ? { traceAs: locals.traceAs } : {}),
          query: rawQueryOf(req.originalUrl),
          status: fault.status,
          error: fault,
          ...(traceOf(fault) ? { context: traceOf(fault) } : {}),
        });
      } catch (traceError) {
        deps.logger.error(
          { err: traceError, reqId: locals.requestId },
          'could not record a refusal in the audit trail',
        );
      }
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.set(fault.headers);
    sendOutcome(
      res,
      fault.status,
      fault.outcome,
      preferredFormatOf(rawQueryOf(req.originalUrl), req.headers.accept),
    );
  };
}

function rawQueryOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}
