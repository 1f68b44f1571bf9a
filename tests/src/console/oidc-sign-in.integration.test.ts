import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import {
  Checkpointer,
  createApp as createAuditApp,
  generateCheckpointKey,
} from '@dmp/audit-service';
import { createTokenVerifier } from '@dmp/auth';
import {
  CookieSealer,
  createConsoleApp,
  OidcSignIn,
  SessionCookies,
  type Session,
} from '@dmp/console-service';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger, startHttpServer, type RunningServer } from '@dmp/http';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';
import { freePort } from '../e2e/running-product';

/**
 * Production sign-in for real: a real OpenID Connect provider (panva's `oidc-provider`, the
 * certified implementation) runs in this process; the console runs the authorization code flow
 * with PKCE against it through openid-client; the access token it gets is then accepted by the
 * real audit service, which trusts that provider's keys. Nothing of ours is replaced.
 *
 * The console runs as two instances with the same session keys behind a round-robin load
 * balancer (as on MongoDB, several instances of each service): the sign-in starts on one and
 * completes on the other, and the session works on both.
 */
describe('console sign-in with OpenID Connect (authorization code + PKCE)', () => {
  const CLIENT_ID = 'dmp-console';
  const CLIENT_SECRET = 'test-only-secret-not-a-real-one';
  let dir: string;
  let issuer: string;
  let providerServer: Server;
  /** The load balancer, at the console's public URL. */
  let balancer: Server;
  let consoleUrl: string;
  let instances: RunningServer[] = [];
  /** Which instance (0 or 1) served each request the balancer passed on, with its path. */
  let served: { instance: number; path: string }[];
  let sessions: SessionCookies;
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
    consoleUrl = `http://127.0.0.1:${consolePort}`;

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
      // Refresh tokens as Keycloak-based providers (Pro Santé Connect) issue them: to any client
      // allowed the grant, without asking for offline access.
      issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
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

    // Two console instances configured alike (the same keys), as a deployment runs them.
    const sealer = new CookieSealer([randomBytes(32)]);
    sessions = new SessionCookies({ sealer, idleMs: 60_000, absoluteMs: 3_600_000 });
    instances = [];
    for (let n = 0; n < 2; n += 1) {
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
      instances.push(
        await startHttpServer(
          createConsoleApp({
            logger: silentLogger(),
            sessions: new SessionCookies({ sealer, idleMs: 60_000, absoluteMs: 3_600_000 }),
            upstreams: {
              documents: auditServer.url,
              consent: auditServer.url,
              audit: auditServer.url,
            },
            upstreamTimeoutMs: 5000,
            webDir: dir,
            publicUrl: consoleUrl,
            oidc,
          }),
          0,
          '127.0.0.1',
        ),
      );
    }
    // A round-robin load balancer in front of them.
    served = [];
    let turn = 0;
    balancer = await new Promise<Server>((resolve) => {
      const server = createServer((req, res) => {
        const instance = turn % instances.length;
        turn += 1;
        served.push({ instance, path: (req.url ?? '').split('?')[0] ?? '' });
        const target = new URL(instances[instance]?.url ?? '');
        const forward = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        req.pipe(forward);
      });
      server.listen(consolePort, '127.0.0.1', () => resolve(server));
    });
  }, 30_000);

  afterAll(async () => {
    for (const spy of quiet) spy.mockRestore();
    await new Promise((resolve) => balancer?.close(resolve));
    for (const instance of instances) await instance.close(100);
    await auditServer?.close(100);
    await closeAudit?.();
    await new Promise((resolve) => providerServer?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A browser's cookie jar, per host (enough for two hosts on one address). */
  class Browser {
    private readonly cookies = new Map<string, Map<string, string>>();

    /** The cookies this browser holds for the host of `url`. */
    jar(url: string): Map<string, string> {
      const host = new URL(url).host;
      const jar = this.cookies.get(host) ?? new Map<string, string>();
      this.cookies.set(host, jar);
      return jar;
    }

    /** The sealed console session, joined from its cookie pieces. */
    sealedSession(): string {
      const jar = this.jar(consoleUrl);
      return [0, 1, 2]
        .map((piece) => jar.get(`dmp_console_session${piece === 0 ? '' : `_${piece}`}`) ?? '')
        .join('');
    }

    /** Holds `sealed` as the console session (pieces of 3,800 characters, as the console sets). */
    holdSession(sealed: string): void {
      const jar = this.jar(consoleUrl);
      for (const piece of [0, 1, 2]) {
        const name = `dmp_console_session${piece === 0 ? '' : `_${piece}`}`;
        const value = sealed.slice(piece * 3800, (piece + 1) * 3800);
        if (value) jar.set(name, value);
        else jar.delete(name);
      }
    }

    async get(url: string, init: RequestInit = {}): Promise<Response> {
      const jar = this.jar(url);
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

  it('signs an auditor in with PKCE across two instances, keeps the token sealed, and calls the audit service with it', async () => {
    const browser = new Browser();
    served.length = 0;

    // 1. The console sends the browser to the provider; the sign-in in progress is sealed in a
    //    cookie (no instance remembers it).
    const start = await browser.get(`${consoleUrl}/auth/oidc/pro/login`);
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = authorize.searchParams.get('state') ?? '';
    expect(state).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const signInCookie = start.headers.getSetCookie()[0] ?? '';
    expect(signInCookie).toMatch(
      /^dmp_console_sign_in=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/,
    );
    expect(signInCookie).not.toContain(state);
    const sealedSignIn = browser.jar(consoleUrl).get('dmp_console_sign_in') ?? '';

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
    const back = await browser.follow(afterConsent, consoleUrl);
    expect(back.url).toContain('/auth/oidc/pro/callback?code=');

    // 3. The other instance exchanges the code (with the PKCE verifier from the cookie) and
    //    opens the session; the sign-in cookie is gone (single use).
    const done = await browser.get(back.url);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/');
    const [loginBy, callbackBy] = served.map(({ instance }) => instance);
    expect(callbackBy).toBe(1 - (loginBy ?? 0)); // started on one instance, completed on the other
    expect(served.map(({ path }) => path)).toEqual([
      '/auth/oidc/pro/login',
      '/auth/oidc/pro/callback',
    ]);
    expect(browser.jar(consoleUrl).has('dmp_console_sign_in')).toBe(false);
    for (let call = 0; call < 2; call += 1) {
      const session = await browser.get(`${consoleUrl}/api/session`);
      expect(session.status).toBe(200);
      const body = (await session.json()) as { user: unknown; csrfToken: string };
      expect(body.user).toEqual({
        kind: 'auditor',
        name: 'Auditrice Alice Martin',
        subject: 'alice',
        via: 'pro',
      });
      expect(JSON.stringify(body)).not.toContain('eyJ');
    }
    expect(browser.sealedSession()).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT in the clear

    // 4. The audit service accepts the provider's access token that the console presents, from
    //    either instance.
    for (let call = 0; call < 2; call += 1) {
      const verify = await browser.get(`${consoleUrl}/api/fhir/audit/AuditEvent/$verify`);
      const verified = await verify.text();
      expect([verify.status, verified]).toEqual([
        200,
        expect.stringContaining('"resourceType":"Parameters"'),
      ]);
      expect(verified).toContain('"name":"ok","valueBoolean":true');
    }
    const verifiers = served.filter(({ path }) => path.endsWith('/$verify'));
    expect(new Set(verifiers.map(({ instance }) => instance))).toEqual(new Set([0, 1]));
    expect(authorizationRequests).toHaveLength(1);

    // 5. The token about to expire: an instance refreshes it at the provider with the refresh
    //    token sealed in the cookie, and seals the new grant into the cookie.
    const sealed = (await sessions.open(browser.sealedSession())) as Session;
    expect(sealed.renewal).toEqual({
      via: 'oidc',
      provider: 'pro',
      refreshToken: expect.any(String),
    });
    const oldToken = sealed.grant.accessToken;
    browser.holdSession(
      await sessions.seal({
        ...sealed,
        grant: { ...sealed.grant, expiresAt: Math.floor(Date.now() / 1000) + 30 },
      }),
    );
    const refreshed = await browser.get(`${consoleUrl}/api/fhir/audit/AuditEvent/$verify`);
    expect([refreshed.status, await refreshed.text()]).toEqual([
      200,
      expect.stringContaining('"name":"ok","valueBoolean":true'),
    ]);
    const renewed = (await sessions.open(browser.sealedSession())) as Session;
    expect(renewed.grant.accessToken).not.toBe(oldToken);
    expect(decodeJwt(renewed.grant.accessToken)).toMatchObject({ iss: issuer, sub: 'alice' });
    expect(renewed.grant.expiresAt).toBeGreaterThan(Math.floor(Date.now() / 1000) + 200);
    expect(renewed.csrfToken).toBe(sealed.csrfToken);
    // The other instance uses the renewed token as it is.
    const after = await browser.get(`${consoleUrl}/api/fhir/audit/AuditEvent/$verify`);
    expect(after.status).toBe(200);
    const still = (await sessions.open(browser.sealedSession())) as Session;
    expect(still.grant.accessToken).toBe(renewed.grant.accessToken);
    // 6. The same callback again, with the sign-in cookie copied before: the provider takes a
    //    code once, so no second session comes of it (and it revokes what the code gave).
    const replay = new Browser();
    replay.jar(consoleUrl).set('dmp_console_sign_in', sealedSignIn);
    const replayed = await replay.get(back.url);
    expect(decodeURIComponent(replayed.headers.get('location') ?? '')).toContain(
      'could not be verified',
    );
    expect(replay.sealedSession()).toBe('');
  }, 30_000);

  it('refuses a callback it did not start (no sign-in cookie, replayed or forged state)', async () => {
    const browser = new Browser();
    const res = await browser.get(`${consoleUrl}/auth/oidc/pro/callback?code=x&state=forged`);
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get('location') ?? '')).toContain(
      'Unknown, expired or replayed sign-in',
    );
    expect((await browser.get(`${consoleUrl}/api/session`)).status).toBe(401);

    // A sign-in really started, but another state at the callback; a sealed value of another
    // purpose, or of another key, as the sign-in cookie.
    const started = await browser.get(`${consoleUrl}/auth/oidc/pro/login`);
    const state = new URL(started.headers.get('location') ?? '').searchParams.get('state');
    const sealedSignIn = browser.jar(consoleUrl).get('dmp_console_sign_in') ?? '';
    const pending = {
      provider: 'pro',
      state,
      nonce: 'n',
      codeVerifier: 'v',
      createdAt: Date.now(),
    };
    const impostors = [
      sealedSignIn,
      await new CookieSealer([randomBytes(32)]).seal('sign-in', pending),
      await sessions.sealer.seal('session', pending),
    ];
    for (const [index, cookie] of impostors.entries()) {
      const attempt = new Browser();
      attempt.jar(consoleUrl).set('dmp_console_sign_in', cookie);
      const callbackState = index === 0 ? 'forged' : (state ?? '');
      const answer = await attempt.get(
        `${consoleUrl}/auth/oidc/pro/callback?code=x&state=${callbackState}`,
      );
      expect(decodeURIComponent(answer.headers.get('location') ?? '')).toContain(
        'Unknown, expired or replayed sign-in',
      );
      expect(attempt.jar(consoleUrl).has('dmp_console_sign_in')).toBe(false); // single use
    }
  });

  it('seals the sign-in in progress with where to come back to: a path of the console only', async () => {
    for (const [asked, kept] of [
      ['/#/audit/bris-de-glace', '/#/audit/bris-de-glace'],
      ['https://evil.example/', '/'],
      ['//evil.example/', '/'],
      ['/\\evil.example', '/'],
    ] as const) {
      const browser = new Browser();
      const start = await browser.get(
        `${consoleUrl}/auth/oidc/pro/login?return=${encodeURIComponent(asked)}`,
      );
      const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
      const pending = await sessions.sealer.open(
        'sign-in',
        browser.jar(consoleUrl).get('dmp_console_sign_in'),
      );
      expect(pending).toMatchObject({ provider: 'pro', state, returnTo: kept });
      expect(Object.keys(pending as object).sort()).toEqual([
        'codeVerifier',
        'createdAt',
        'nonce',
        'provider',
        'returnTo',
        'state',
      ]);
    }
  });

  it('answers 404 for a provider that is not configured', async () => {
    const res = await fetch(`${consoleUrl}/auth/oidc/patient/login`, { redirect: 'manual' });
    expect(res.status).toBe(404);
  });
});
