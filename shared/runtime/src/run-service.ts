import path from 'node:path';
import type { Express } from 'express';
import { devIssuerEnabled, loadConfig, serviceSettings, type ServiceName } from '@dmp/config';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import {
  createLogger,
  createMetrics,
  loadOpenApiDocument,
  type Logger,
  startHttpServer,
  stopOnSignals,
  type ServiceRuntimeDeps,
} from '@dmp/http';
import {
  defaultStorageUrl,
  parseStorageUrl,
  type ResourceStore,
  type StorageLocation,
} from '@dmp/storage';
import { startAuditShipper } from './audit-shipper';
import { openAuthenticator } from './open-authenticator';
import { openStore } from './open-store';
import { openServiceToken, type ServiceToken } from './service-token';
import { SOFTWARE_VERSION } from './version';

/** What a service's own stores are opened from (beside the common `ResourceStore`). */
export interface ExtraStoresContext {
  /** The service's storage location (`<SERVICE>_STORAGE_URL` or the default). */
  location: StorageLocation;
  dataDir: string;
  logger: Logger;
}

/** Service-specific dependencies opened at start and closed on stop (after the server). */
export interface ExtraStores<Extra> {
  deps: Extra;
  close: () => Promise<void>;
}

export interface ServiceDefinition<Extra extends object = object> {
  service: ServiceName;
  env: Readonly<Record<string, string | undefined>>;
  /** Opens the service's own stores (e.g. the audit log), passed to `createApp` with the rest. */
  openExtras?: (context: ExtraStoresContext) => Promise<ExtraStores<Extra>>;
  /** Outbox topic shipped to the audit service (`AUDIT_URL`) by a background loop. */
  auditTopic?: string;
  createApp: (
    deps: ServiceRuntimeDeps & { store: ResourceStore; serviceToken: ServiceToken } & Extra,
  ) => Express;
}

/** `openapi/` of the repository (beside `shared/`, in the source tree and in the image). */
const OPENAPI_DIR = path.resolve(__dirname, '..', '..', '..', 'openapi');

function openApiOf(service: ServiceName, logger: Logger): object | undefined {
  try {
    return loadOpenApiDocument(OPENAPI_DIR, service);
  } catch (error) {
    logger.warn({ err: error, dir: OPENAPI_DIR }, 'no OpenAPI document: /openapi.json answers 404');
    return undefined;
  }
}

/**
 * Starts one service from its environment: configuration, logger, storage adapter chosen by
 * URL, token verification, HTTP server; stops cleanly on Ctrl-C / SIGTERM. A bad configuration
 * or an unusable database ends the process with a one-line reason.
 */
export async function runService<Extra extends object = object>(
  definition: ServiceDefinition<Extra>,
): Promise<void> {
  const { service } = definition;
  try {
    const config = loadConfig(serviceSettings(service), definition.env);
    const logger = createLogger(service, config.logLevel);
    const storageUrl = config.storageUrl ?? defaultStorageUrl(config.dataDir, service);
    const location = parseStorageUrl(storageUrl);
    const store = await openStore(location, SEARCH_PARAMETERS);
    const extras: ExtraStores<Extra> = definition.openExtras
      ? await definition.openExtras({ location, dataDir: config.dataDir, logger })
      : { deps: {} as Extra, close: () => Promise.resolve() };
    const devIssuer = devIssuerEnabled(config);
    const authenticate = await openAuthenticator({ ...config, devIssuer });
    const serviceToken = openServiceToken({
      ...config,
      devIssuer,
      service,
      tokenFile: config.serviceTokenFile,
    });
    const metrics = createMetrics(service, { processMetrics: true });
    const app = definition.createApp({
      ...extras.deps,
      store,
      serviceToken,
      authenticate,
      logger,
      metrics,
      bodyLimit: config.bodyLimit,
      limits: {
        jsonDepth: config.maxJsonDepth,
        searchParameters: config.searchMaxParameters,
        searchValues: config.searchMaxValues,
      },
      publicBaseUrl: config.publicUrl,
      softwareVersion: SOFTWARE_VERSION,
      openApi: openApiOf(service, logger),
    });
    const server = await startHttpServer(app, config.port, config.host);
    logger.info({ fhirBase: `${server.url}/fhir` }, `${service} service listening`);
    const shipper =
      definition.auditTopic !== undefined && config.auditUrl !== undefined
        ? startAuditShipper({
            outbox: store.outbox,
            topic: definition.auditTopic,
            auditUrl: config.auditUrl,
            token: serviceToken,
            logger,
            leaseMs: config.auditShipLeaseMs,
            deadLetters: metrics.auditDeadLetters,
          })
        : undefined;
    stopOnSignals(logger, [
      () => server.close(),
      async () => shipper?.stop(),
      () => extras.close(),
      () => store.close(),
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${service}: cannot start: ${reason}\n`);
    process.exit(1);
  }
}
