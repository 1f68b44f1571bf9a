import type { Setting } from './load-config';

export type ServiceName = 'documents' | 'consent' | 'audit';

export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  documents: 8081,
  consent: 8082,
  audit: 8083,
};

/** The settings every process of the product reads the same way (services and console). */
export const PROCESS_SETTINGS = {
  host: {
    env: 'HOST',
    type: 'string',
    default: '127.0.0.1',
    doc: 'Interface the services listen on (`0.0.0.0` in containers)',
  },
  dataDir: {
    env: 'DATA_DIR',
    type: 'string',
    default: './data',
    doc: 'Directory for the embedded databases, document files and the dev issuer keys',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    type: 'string',
    default: 'info',
    oneOf: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    doc: 'pino log level',
  },
  nodeEnv: {
    env: 'NODE_ENV',
    type: 'string',
    doc: '`production` (the Docker image sets it): the development issuer and sign-in are then off unless `AUTH_DEV_ISSUER=true`, and the console requires `CONSOLE_SESSION_KEYS`',
  },
  devIssuer: {
    env: 'AUTH_DEV_ISSUER',
    type: 'boolean',
    doc: 'Generate (first start) and trust the local dev token issuer under `$DATA_DIR/dev-issuer`, and offer the console’s development sign-in; default true, false when `NODE_ENV=production`',
  },
} as const satisfies Record<string, Setting>;

/**
 * Whether the development issuer (and the console's development sign-in) is on: as set by
 * `AUTH_DEV_ISSUER`, else on, except under `NODE_ENV=production`, where anyone reaching a
 * console that offers it could act as anyone.
 */
export function devIssuerEnabled(config: { devIssuer?: boolean; nodeEnv?: string }): boolean {
  return config.devIssuer ?? config.nodeEnv !== 'production';
}

/**
 * The settings every service reads. Per-service variables carry the service's prefix
 * (`DOCUMENTS_PORT`, `CONSENT_STORAGE_URL`, …) so that one environment can configure all three.
 */
export function serviceSettings(service: ServiceName) {
  const prefix = service.toUpperCase();
  return {
    port: {
      env: `${prefix}_PORT`,
      type: 'integer',
      default: DEFAULT_PORTS[service],
      min: 0,
      max: 65535,
      doc: `TCP port of the ${service} service (0 = any free port)`,
    },
    publicUrl: {
      env: `${prefix}_PUBLIC_URL`,
      type: 'string',
      doc: `FHIR base URL clients use to reach the ${service} service behind a proxy (default: from the Host header)`,
    },
    storageUrl: {
      env: `${prefix}_STORAGE_URL`,
      type: 'string',
      doc: `Database of the ${service} service: \`sqlite:<file>\` (default \`sqlite:$DATA_DIR/${service}/${service}.sqlite\`)`,
    },
    ...PROCESS_SETTINGS,
    bodyLimit: {
      env: 'BODY_LIMIT',
      type: 'string',
      default: '20mb',
      doc: 'Largest accepted request body (larger ones get 413)',
    },
    searchMaxCount: {
      env: 'SEARCH_MAX_COUNT',
      type: 'integer',
      default: 100,
      min: 1,
      max: 1000,
      doc: 'Largest `_count` a search may ask for (beyond it: 400)',
    },
    searchMaxParameters: {
      env: 'SEARCH_MAX_PARAMETERS',
      type: 'integer',
      default: 50,
      min: 1,
      max: 1000,
      doc: 'Most search parameters one request may carry (beyond it: 400 `DMP-SEARCH-TOO-MANY-PARAMETERS`)',
    },
    searchMaxValues: {
      env: 'SEARCH_MAX_VALUES',
      type: 'integer',
      default: 100,
      min: 1,
      max: 1000,
      doc: 'Most comma-separated alternatives in one search parameter (beyond it: 400 `DMP-SEARCH-TOO-MANY-VALUES`)',
    },
    maxJsonDepth: {
      env: 'MAX_JSON_DEPTH',
      type: 'integer',
      default: 64,
      min: 8,
      max: 512,
      doc: 'Deepest nesting of objects and arrays accepted in a JSON body (beyond it: 400 `DMP-HTTP-JSON-TOO-DEEP`)',
    },
    jwks: {
      env: 'AUTH_JWKS',
      type: 'string',
      doc: 'JWKS of the trusted token issuer(s): a file path or an https URL',
    },
    issuers: {
      env: 'AUTH_ISSUERS',
      type: 'list',
      default: [],
      doc: 'Comma-separated `iss` values accepted with `AUTH_JWKS` (the dev issuer is added when enabled)',
    },
    auditUrl: {
      env: 'AUDIT_URL',
      type: 'string',
      doc: 'Root URL of the audit service (e.g. `http://127.0.0.1:8083`): documents and consent ship their audit outbox there; unset = the outbox only fills',
    },
    auditShipLeaseMs: {
      env: 'AUDIT_SHIP_LEASE_MS',
      type: 'integer',
      default: 30_000,
      min: 100,
      max: 3_600_000,
      doc: 'How long a batch claimed by the audit shipper waits for its acknowledgement before it is sent again (after a crash)',
    },
    serviceTokenFile: {
      env: 'SERVICE_TOKEN_FILE',
      type: 'string',
      doc: 'File holding the system token a service presents to the others, re-read at each call (production: written by a client-credentials agent); default: minted by the dev issuer when enabled',
    },
    maxTokenLifetimeSeconds: {
      env: 'AUTH_MAX_TOKEN_LIFETIME_SECONDS',
      type: 'integer',
      default: 3600,
      min: 60,
      max: 86_400,
      doc: 'Longest accepted access-token lifetime (`exp - iat`), in seconds; longer tokens get 401 `DMP-AUTH-TOKEN-TOO-LONG-LIVED`',
    },
    tokenCacheSize: {
      env: 'AUTH_TOKEN_CACHE_SIZE',
      type: 'integer',
      default: 10_000,
      min: 0,
      max: 1_000_000,
      doc: 'Verified access tokens each service remembers (least recently used forgotten first) so that a token sent again is not verified again before its `exp`; 0 verifies every request',
    },
    audience: {
      env: 'AUTH_AUDIENCE',
      type: 'string',
      default: 'urn:dmp:services',
      doc: 'Required `aud` of access tokens',
    },
  } as const satisfies Record<string, Setting>;
}
