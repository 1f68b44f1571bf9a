import { PROCESS_SETTINGS, type Setting } from '@dmp/config';

/**
 * Settings of the web console (`services/console`). The common `HOST`, `DATA_DIR`, `LOG_LEVEL`
 * and `AUTH_DEV_ISSUER` are the ones the three services read.
 */
export const consoleSettings = {
  port: {
    env: 'CONSOLE_PORT',
    type: 'integer',
    default: 8080,
    min: 0,
    max: 65535,
    doc: 'TCP port of the web console (0 = any free port)',
  },
  publicUrl: {
    env: 'CONSOLE_PUBLIC_URL',
    type: 'string',
    doc: 'Origin users reach the console at (e.g. `https://console.dmp.example.fr`): OpenID Connect redirect URI, `Secure` cookies when https, the Origin check of state-changing calls (default: `http://<HOST>:<CONSOLE_PORT>`)',
  },
  documentsUrl: {
    env: 'CONSOLE_DOCUMENTS_URL',
    type: 'string',
    default: 'http://127.0.0.1:8081',
    doc: 'Root URL of the documents service the console calls for the signed-in user (`npm start` sets it)',
  },
  consentUrl: {
    env: 'CONSOLE_CONSENT_URL',
    type: 'string',
    default: 'http://127.0.0.1:8082',
    doc: 'Root URL of the consent service the console calls (`npm start` sets it)',
  },
  auditUrl: {
    env: 'CONSOLE_AUDIT_URL',
    type: 'string',
    default: 'http://127.0.0.1:8083',
    doc: 'Root URL of the audit service the console calls (`npm start` sets it)',
  },
  sessionIdleMinutes: {
    env: 'CONSOLE_SESSION_IDLE_MINUTES',
    type: 'integer',
    default: 30,
    min: 1,
    max: 1440,
    doc: 'A console session unused this long is refused (checked from the last use sealed in its cookie, which a used session re-seals at most once a minute)',
  },
  sessionMaxHours: {
    env: 'CONSOLE_SESSION_MAX_HOURS',
    type: 'integer',
    default: 12,
    min: 1,
    max: 168,
    doc: 'Absolute lifetime of a console session, used or not: then the user signs in again',
  },
  sessionKeys: {
    env: 'CONSOLE_SESSION_KEYS',
    type: 'list',
    doc: 'Keys sealing the console’s session and sign-in cookies (JWE dir + A256GCM): comma-separated base64url 32-byte keys, the same on every instance; the first seals, all open (rotation). Required when NODE_ENV=production or AUTH_DEV_ISSUER=false; otherwise generated once under `$DATA_DIR/console/session-key`',
  },
  upstreamTimeoutMs: {
    env: 'CONSOLE_UPSTREAM_TIMEOUT_MS',
    type: 'integer',
    default: 15_000,
    min: 100,
    max: 600_000,
    doc: 'How long the console waits for a service to start answering before 502 `DMP-CONSOLE-UPSTREAM-UNAVAILABLE`',
  },
  proIssuer: {
    env: 'CONSOLE_OIDC_PRO_ISSUER',
    type: 'string',
    doc: 'OpenID Connect issuer for professionals and auditors (Pro Santé Connect), discovered from `/.well-known/openid-configuration`; unset = no such sign-in',
  },
  proClientId: {
    env: 'CONSOLE_OIDC_PRO_CLIENT_ID',
    type: 'string',
    doc: 'Client id of the console at the professionals’ issuer',
  },
  proClientSecret: {
    env: 'CONSOLE_OIDC_PRO_CLIENT_SECRET',
    type: 'string',
    doc: 'Client secret at the professionals’ issuer (`client_secret_basic`; from a secret store, never committed); unset = public client with PKCE only',
  },
  proScopes: {
    env: 'CONSOLE_OIDC_PRO_SCOPES',
    type: 'list',
    default: ['openid'],
    doc: 'Scopes asked of the professionals’ issuer (space- or comma-separated; Pro Santé Connect: `openid scope_all`)',
  },
  proAcrValues: {
    env: 'CONSOLE_OIDC_PRO_ACR_VALUES',
    type: 'string',
    doc: '`acr_values` sent to the professionals’ issuer (Pro Santé Connect: `eidas1`)',
  },
  patientIssuer: {
    env: 'CONSOLE_OIDC_PATIENT_ISSUER',
    type: 'string',
    doc: 'OpenID Connect issuer of the patient identity provider; unset = no patient sign-in',
  },
  patientClientId: {
    env: 'CONSOLE_OIDC_PATIENT_CLIENT_ID',
    type: 'string',
    doc: 'Client id of the console at the patient identity provider',
  },
  patientClientSecret: {
    env: 'CONSOLE_OIDC_PATIENT_CLIENT_SECRET',
    type: 'string',
    doc: 'Client secret at the patient identity provider; unset = public client with PKCE only',
  },
  patientScopes: {
    env: 'CONSOLE_OIDC_PATIENT_SCOPES',
    type: 'list',
    default: ['openid'],
    doc: 'Scopes asked of the patient identity provider',
  },
  ...PROCESS_SETTINGS,
} as const satisfies Record<string, Setting>;
