import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Router,
} from 'express';
import helmet from 'helmet';
import type { Actor } from '@dmp/auth';
import { fhirError, isFhirError, type FhirError } from '@dmp/errors';
import { bodyReader, mapBodyParserError } from './body';
import { buildCapabilityStatement, type CapabilityInfo } from './capability';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { assertAcceptsFhirJson } from './negotiation';
import { servedOpenApiDocument } from './openapi';
import { parsePrefer } from './prefer';
import { chooseRequestId } from './request-id';
import type { FhirRequest, HttpMethod, RouteDefinition } from './route';
import { sendFhirJson, sendResult } from './send';

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
}

export interface ServiceAppDeps extends ServiceRuntimeDeps {
  capability: CapabilityInfo;
  routes: readonly RouteDefinition[];
  /** Throws when the service cannot serve (database down); used by `/readyz`. */
  readiness: () => Promise<void>;
}

interface RequestLocals {
  requestId: string;
  actor?: Actor;
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

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.readiness();
      res.json({ status: 'ready' });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      throw fhirError('DMP-STORAGE-UNAVAILABLE', 'The service is not ready');
    }
  });
  app.get('/openapi.json', (req, res) => {
    if (!deps.openApi) throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'No OpenAPI document loaded');
    const rootUrl = baseUrlOf(req, deps.publicBaseUrl).replace(/\/fhir$/, '');
    res.json(servedOpenApiDocument(deps.openApi, rootUrl));
  });
  app.get('/metrics', authenticate, async (_req, res) => {
    const actor = localsOf(res).actor;
    if (actor?.kind !== 'system' && actor?.kind !== 'auditor') {
      throw fhirError('DMP-AUTH-FORBIDDEN', 'Metrics are for system or auditor tokens');
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use(FHIR_BASE_PATH, buildFhirRouter(deps, authenticate));
  app.use(
    buildRouter(
      deps,
      authenticate,
      deps.routes.filter((route) => route.root),
    ),
  );
  app.use((req, _res, next) => {
    next(fhirError('DMP-HTTP-ROUTE-NOT-FOUND', `No endpoint at ${req.path}`));
  });
  app.use(errorHandler(deps));
  return app;
}

function buildFhirRouter(deps: ServiceAppDeps, authenticate: RequestHandler): Router {
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
  const router = buildRouter(deps, authenticate, fhirRoutes);
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
  routes: readonly RouteDefinition[],
): Router {
  const router = express.Router({ strict: false, caseSensitive: true });
  const methodsByPath = new Map<string, Set<HttpMethod>>();
  for (const route of routes) {
    const handlers = [
      ...(route.public ? [] : [authenticate]),
      ...(route.authorize ? [authorizeWith(route.authorize)] : []),
      ...bodyReader(route.body ?? 'none', route.bodyLimit ?? deps.bodyLimit),
      handle(route, deps),
    ];
    router[route.method.toLowerCase() as 'get'](route.path, ...handlers);
    const methods = methodsByPath.get(route.path) ?? new Set<HttpMethod>();
    methods.add(route.method);
    methodsByPath.set(route.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    router.all(path, (req, res, next) => {
      res.set('Allow', [...methods].join(', '));
      next(fhirError('DMP-HTTP-METHOD-NOT-ALLOWED', `${req.method} is not allowed here`));
    });
  }
  return router;
}

function authorizeWith(check: (actor: Actor) => void): RequestHandler {
  return (_req, res, next) => {
    const actor = localsOf(res).actor;
    if (!actor) throw fhirError('DMP-AUTH-TOKEN-MISSING');
    check(actor);
    next();
  };
}

function handle(route: RouteDefinition, deps: ServiceAppDeps): RequestHandler {
  return async (req, res) => {
    const searchParams = new URL(req.originalUrl, 'http://localhost').searchParams;
    if (route.body === 'search-form' && typeof req.body === 'string') {
      for (const [name, value] of new URLSearchParams(req.body)) searchParams.append(name, value);
    }
    if (route.produces !== 'any') {
      assertAcceptsFhirJson(searchParams.get('_format'), req.headers.accept);
    }
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
    sendResult(res, route.method, prefer, result);
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
      const route = req.route
        ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}`
        : 'unmatched';
      deps.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.duration.observe({ method: req.method, route }, seconds);
      deps.logger.info(
        {
          reqId: requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          actor: localsOf(res).actor?.kind,
        },
        'request',
      );
    });
    next();
  };
}

function errorHandler(deps: ServiceAppDeps): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    let fault: FhirError | undefined = isFhirError(error)
      ? error
      : mapBodyParserError(error, deps.bodyLimit);
    if (!fault) {
      deps.logger.error({ err: error, reqId: localsOf(res).requestId }, 'unhandled error');
      fault = fhirError('DMP-INTERNAL', 'Unexpected server error; quote the X-Request-Id');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.set(fault.headers);
    sendFhirJson(res, fault.status, fault.outcome);
  };
}
