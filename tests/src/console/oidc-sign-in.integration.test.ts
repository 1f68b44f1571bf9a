import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import {
  Checkpointer,
  createApp as createAuditApp,
  generateCheckpointKey,
} from '@dmp/audit-service';
import { createTokenVerifier } from '@dmp/auth';
import { createConsoleApp, OidcSignIn, SessionStore } from '@dmp/console-service';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger, startHttpServer, type RunningServer } from '@dmp/http';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';
import { freePort } from '../e2e/running-product';

/**
 * Production sign-in for real: a real OpenID Connect provider (panva's `oidc-provider`, the
 * certified implementation) runs in this process; the console runs the authorization code flow
 * with PKCE against it through openid-client; the access token it gets is then accepted by the
 * real audit service, which trusts that provider's keys. Nothing of ours is replaced.
 */
describe('console sign-in with OpenID Connect (authorization code + PKCE)', () => {
  const CLIENT_ID = 'dmp-console';
  const CLIENT_SECRET = 'test-only-secret-not-a-real-one';
  let dir: string;
  let issuer: string;
  let providerServer: Server;
  let consoleServer: RunningServer;
  let auditServer: RunningServer;
  let closeAudit: () => Promise<void>;
  let authorizationRequests: URLSearchParams[];
  let quiet: jest.SpyInstance[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dmp-oidc-'));
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const signingKey = { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const verificationKey = {
      ...(await exportJWK(publicKey)),
      kid: 'k1',
      alg: 'RS256',
      use: 'sig',
    };
    const providerPort = await freePort();
    const consolePort = await freePort();
    issuer = `http://127.0.0.1:${providerPort}`;
    const consoleUrl = `http://127.0.0.1:${consolePort}`;

    // oidc-provider announces its development-only pages and defaults on the console: quiet here.
    quiet = [jest.spyOn(console, 'warn'), jest.spyOn(console, 'info')].map((spy) =>
      spy.mockImplementation(() => undefined),
    );
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${consoleUrl}/auth/oidc/pro/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [signingKey] },
      ttl: {
        AccessToken: 300,
        AuthorizationCode: 60,
        Grant: 600,
        IdToken: 300,
        Interaction: 600,
        RefreshToken: 3600,
        Session: 600,
      },
      scopes: ['openid', 'profile', 'offline_access', 'system/AuditEvent.rs'],
      claims: { openid: ['sub'], profile: ['name'] },
      findAccount: (_ctx, sub) => ({
        accountId: sub,
        claims: () => ({ sub, name: 'Auditrice Alice Martin' }),
      }),
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'urn:dmp:services',
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'system/AuditEvent.rs',
            audience: 'urn:dmp:services',
            accessTokenFormat: 'jwt',
            accessTokenTTL: 300,
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      // The DMP claims the services read (an auditor here), as a DMP authorization server adds them.
      extraTokenClaims: () => ({
        extensions: {
          fr_dmp: { actor_kind: 'auditor' },
          ihe_iua: { subject_name: 'Auditrice Alice Martin' },
        },
      }),
    });
    provider.on('server_error', (_ctx: unknown, error: unknown) => {
      throw error;
    });
    authorizationRequests = [];
    const callback = provider.callback();
    providerServer = await new Promise<Server>((resolve) => {
      const server = createServer((req, res) => {
        if (req.url?.startsWith('/auth?')) {
          authorizationRequests.push(new URL(req.url, issuer).searchParams);
        }
        void callback(req, res);
      });
      server.listen(providerPort, '127.0.0.1', () => resolve(server));
    });

    // The real audit service, trusting the provider's key for its issuer.
    const store = openSqliteStore({
      file: ':memory:',
      blobDir: path.join(dir, 'blobs'),
      searchParameters: SEARCH_PARAMETERS,
    });
    const auditLog = openSqliteAuditLog({
      file: path.join(dir, 'audit.sqlite'),
      searchParameters: SEARCH_PARAMETERS,
    });
    const verifier = createTokenVerifier({
      jwks: { keys: [verificationKey] },
      issuers: [issuer],
      audience: 'urn:dmp:services',
    });
    auditServer = await startHttpServer(
      createAuditApp({
        store,
        auditLog,
        checkpointer: new Checkpointer({
          log: auditLog,
          key: generateCheckpointKey(),
          everyEvents: 1000,
        }),
        authenticate: (header) => verifier.verify(header),
        logger: silentLogger(),
        metrics: createMetrics('audit-oidc-test'),
        bodyLimit: '1mb',
        softwareVersion: '0.0.0-test',
      }),
      0,
      '127.0.0.1',
    );
    closeAudit = async () => {
      await auditLog.close();
      await store.close();
    };

    const oidc = new OidcSignIn(
      [
        {
          id: 'pro',
          issuer,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          scopes: ['openid', 'profile', 'offline_access', 'system/AuditEvent.rs'],
        },
      ],
      consoleUrl,
    );
    consoleServer = await startHttpServer(
      createConsoleApp({
        logger: silentLogger(),
        sessions: new SessionStore(60_000),
        upstreams: { documents: auditServer.url, consent: auditServer.url, audit: auditServer.url },
        upstreamTimeoutMs: 5000,
        webDir: dir,
        publicUrl: consoleUrl,
        oidc,
      }),
      consolePort,
      '127.0.0.1',
    );
  }, 30_000);

  afterAll(async () => {
    for (const spy of quiet) spy.mockRestore();
    await consoleServer?.close(100);
    await auditServer?.close(100);
    await closeAudit?.();
    await new Promise((resolve) => providerServer?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A browser's cookie jar, per host (enough for two hosts on one address). */
  class Browser {
    private readonly cookies = new Map<string, Map<string, string>>();

    async get(url: string, init: RequestInit = {}): Promise<Response> {
      const target = new URL(url);
      const jar = this.cookies.get(target.host) ?? new Map<string, string>();
      this.cookies.set(target.host, jar);
      const headers = new Headers(init.headers);
      if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
      const res = await fetch(url, { ...init, headers, redirect: 'manual' });
      for (const cookie of res.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const index = pair.indexOf('=');
        const name = pair.slice(0, index);
        const value = pair.slice(index + 1);
        if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') jar.delete(name);
        else jar.set(name, value);
      }
      return res;
    }

    /** Follows redirects until one leaves for `stopAt` (or no redirect is left). */
    async follow(url: string, stopAt?: string): Promise<{ res: Response; url: string }> {
      let current = url;
      for (let hops = 0; hops < 10; hops += 1) {
        const res = await this.get(current);
        const location = res.headers.get('location');
        if (!location) return { res, url: current };
        current = new URL(location, current).href;
        if (stopAt && current.startsWith(stopAt)) return { res, url: current };
      }
      throw new Error('too many redirects');
    }

    async submit(url: string, form: Record<string, string>): Promise<string> {
      const res = await this.get(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      return new URL(res.headers.get('location') ?? '', url).href;
    }
  }

  it('signs an auditor in with PKCE, keeps the token server-side, and calls the audit service with it', async () => {
    const browser = new Browser();

    // 1. The console sends the browser to the provider.
    const start = await browser.get(`${consoleServer.url}/auth/oidc/pro/login`);
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(start.headers.getSetCookie()[0]).toMatch(/HttpOnly; SameSite=Lax/);

    // 2. The user signs in and consents at the provider (its own development pages).
    const login = await browser.follow(authorize.href);
    const loginUid = /\/interaction\/([^/?]+)/.exec(login.url)?.[1] ?? '';
    const afterLogin = await browser.submit(`${issuer}/interaction/${loginUid}`, {
      prompt: 'login',
      login: 'alice',
      password: 'any',
    });
    const consent = await browser.follow(afterLogin);
    const consentUid = /\/interaction\/([^/?]+)/.exec(consent.url)?.[1] ?? '';
    const afterConsent = await browser.submit(`${issuer}/interaction/${consentUid}`, {
      prompt: 'consent',
    });
    const back = await browser.follow(afterConsent, consoleServer.url);
    expect(back.url).toContain('/auth/oidc/pro/callback?code=');

    // 3. The console exchanges the code (with the PKCE verifier) and opens the session.
    const done = await browser.get(back.url);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/');
    const session = await browser.get(`${consoleServer.url}/api/session`);
    expect(session.status).toBe(200);
    const body = (await session.json()) as { user: unknown; csrfToken: string };
    expect(body.user).toEqual({
      kind: 'auditor',
      name: 'Auditrice Alice Martin',
      subject: 'alice',
      via: 'pro',
    });
    expect(JSON.stringify(body)).not.toContain('eyJ');

    // 4. The audit service accepts the provider's access token that the console presents.
    const verify = await browser.get(`${consoleServer.url}/api/fhir/audit/AuditEvent/$verify`);
    const verified = await verify.text();
    expect([verify.status, verified]).toEqual([
      200,
      expect.stringContaining('"resourceType":"Parameters"'),
    ]);
    expect(verified).toContain('"name":"ok","valueBoolean":true');
    expect(authorizationRequests).toHaveLength(1);
  }, 30_000);

  it('refuses a callback it did not start (no sign-in cookie, replayed or forged state)', async () => {
    const browser = new Browser();
    const res = await browser.get(
      `${consoleServer.url}/auth/oidc/pro/callback?code=x&state=forged`,
    );
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get('location') ?? '')).toContain(
      'Unknown, expired or replayed sign-in',
    );
    expect((await browser.get(`${consoleServer.url}/api/session`)).status).toBe(401);
  });

  it('answers 404 for a provider that is not configured', async () => {
    const res = await fetch(`${consoleServer.url}/auth/oidc/patient/login`, { redirect: 'manual' });
    expect(res.status).toBe(404);
  });
});
