import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDevIssuer } from '@dmp/auth';
import { devIssuerEnabled, loadConfig } from '@dmp/config';
import { createLogger, loadOpenApiDocument, startHttpServer, stopOnSignals } from '@dmp/http';
import { createConsoleApp } from './app';
import { OidcSignIn, type OidcProviderSettings } from './oidc';
import { CookieSealer, loadSessionKeys } from './sealing';
import { SessionCookies } from './sessions';
import { consoleSettings } from './settings';

/**
 * The repository's `openapi/` folder: the nearest one above this file (the source tree and the
 * built `dist/src` sit at different depths).
 */
function openApiDirectory(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'openapi');
    if (existsSync(path.join(candidate, 'console.openapi.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('openapi/console.openapi.json not found');
  }
}

/** Composition root of the console: settings from the environment, sign-in methods, serve. */
async function main(): Promise<void> {
  const config = loadConfig(consoleSettings, process.env);
  const devSignIn = devIssuerEnabled(config);
  const logger = createLogger('console', config.logLevel);
  const scopes = (list: readonly string[]) =>
    list.flatMap((item) => item.split(/\s+/)).filter(Boolean);
  const providers: OidcProviderSettings[] = [];
  if (config.proIssuer) {
    if (!config.proClientId)
      throw new Error('CONSOLE_OIDC_PRO_CLIENT_ID is required with CONSOLE_OIDC_PRO_ISSUER');
    providers.push({
      id: 'pro',
      issuer: config.proIssuer,
      clientId: config.proClientId,
      scopes: scopes(config.proScopes),
      ...(config.proClientSecret ? { clientSecret: config.proClientSecret } : {}),
      ...(config.proAcrValues ? { acrValues: config.proAcrValues } : {}),
    });
  }
  if (config.patientIssuer) {
    if (!config.patientClientId) {
      throw new Error(
        'CONSOLE_OIDC_PATIENT_CLIENT_ID is required with CONSOLE_OIDC_PATIENT_ISSUER',
      );
    }
    providers.push({
      id: 'patient',
      issuer: config.patientIssuer,
      clientId: config.patientClientId,
      scopes: scopes(config.patientScopes),
      ...(config.patientClientSecret ? { clientSecret: config.patientClientSecret } : {}),
    });
  }
  const publicUrl = config.publicUrl?.replace(/\/+$/, '');
  if (providers.length > 0 && !publicUrl) {
    throw new Error(
      'CONSOLE_PUBLIC_URL is required with OpenID Connect (it makes the redirect URI)',
    );
  }
  if (providers.length === 0 && !devSignIn) {
    throw new Error(
      'no sign-in method: set CONSOLE_OIDC_PRO_ISSUER and/or CONSOLE_OIDC_PATIENT_ISSUER, or AUTH_DEV_ISSUER=true',
    );
  }
  // Development only (dev sign-in on, not NODE_ENV=production): a key generated under DATA_DIR,
  // so one instance per data directory; otherwise the keys every instance shares.
  const sealer = new CookieSealer(
    await loadSessionKeys({
      configured: config.sessionKeys,
      required: config.nodeEnv === 'production' || !devSignIn,
      devKeyFile: path.join(config.dataDir, 'console', 'session-key'),
    }),
  );
  if (!config.sessionKeys?.length) {
    logger.warn(
      'CONSOLE_SESSION_KEYS unset: sessions are sealed with the development key under DATA_DIR (one console instance only)',
    );
  }
  const devIssuer = devSignIn ? await openDevIssuer(config.dataDir) : undefined;
  if (devIssuer)
    logger.warn(
      'development sign-in is on (AUTH_DEV_ISSUER=true): anyone reaching the console can act as anyone',
    );
  const app = createConsoleApp({
    logger,
    sessions: new SessionCookies({
      sealer,
      idleMs: config.sessionIdleMinutes * 60_000,
      absoluteMs: config.sessionMaxHours * 3_600_000,
    }),
    upstreams: {
      documents: config.documentsUrl,
      consent: config.consentUrl,
      audit: config.auditUrl,
    },
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    webDir: path.resolve(__dirname, '..', 'web'),
    ...(publicUrl ? { publicUrl } : {}),
    ...(devIssuer ? { devIssuer } : {}),
    ...(providers.length > 0 && publicUrl ? { oidc: new OidcSignIn(providers, publicUrl) } : {}),
    openApi: loadOpenApiDocument(openApiDirectory(), 'console'),
  });
  const server = await startHttpServer(app, config.port, config.host);
  logger.info({ url: `${server.url}/` }, 'console listening');
  stopOnSignals(logger, [() => server.close()]);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `console: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
