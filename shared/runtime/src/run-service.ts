import type { Express } from 'express';
import { loadConfig, serviceSettings, type ServiceName } from '@dmp/config';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import {
  createLogger,
  createMetrics,
  startHttpServer,
  stopOnSignals,
  type ServiceRuntimeDeps,
} from '@dmp/http';
import { defaultStorageUrl, parseStorageUrl, type ResourceStore } from '@dmp/storage';
import { openAuthenticator } from './open-authenticator';
import { openStore } from './open-store';
import { SOFTWARE_VERSION } from './version';

export interface ServiceDefinition {
  service: ServiceName;
  env: Readonly<Record<string, string | undefined>>;
  createApp: (deps: ServiceRuntimeDeps & { store: ResourceStore }) => Express;
}

/**
 * Starts one service from its environment: configuration, logger, storage adapter chosen by
 * URL, token verification, HTTP server; stops cleanly on Ctrl-C / SIGTERM. A bad configuration
 * or an unusable database ends the process with a one-line reason.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const { service } = definition;
  try {
    const config = loadConfig(serviceSettings(service), definition.env);
    const logger = createLogger(service, config.logLevel);
    const storageUrl = config.storageUrl ?? defaultStorageUrl(config.dataDir, service);
    const store = await openStore(parseStorageUrl(storageUrl), SEARCH_PARAMETERS);
    const authenticate = await openAuthenticator(config);
    const app = definition.createApp({
      store,
      authenticate,
      logger,
      metrics: createMetrics(service, { processMetrics: true }),
      bodyLimit: config.bodyLimit,
      publicBaseUrl: config.publicUrl,
      softwareVersion: SOFTWARE_VERSION,
    });
    const server = await startHttpServer(app, config.port, config.host);
    logger.info({ fhirBase: `${server.url}/fhir` }, `${service} service listening`);
    stopOnSignals(logger, [() => server.close(), () => store.close()]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${service}: cannot start: ${reason}\n`);
    process.exit(1);
  }
}
