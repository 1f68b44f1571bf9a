import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { openDevIssuer } from '@dmp/auth';
import { silentLogger } from '@dmp/http';
import { CookieSealer, createConsoleApp, SessionCookies, type ConsoleDeps } from '../src/app';
import type { UpstreamName } from '../src/proxy';

/**
 * The console's backend for frontend over HTTP (supertest on `createConsoleApp`): security
 * headers, sessions, CSRF, the development sign-in and the proxy's guards. The browser tests
 * (`tests/src/e2e/console.e2e.test.ts`) drive it against the running services.
 */
describe('console service', () => {
  let dir: string;
  let deps: ConsoleDeps;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dmp-console-'));
    const webDir = path.join(dir, 'web');
    mkdirSync(path.join(webDir, 'assets'), { recursive: true });
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Console DMP</title>');
    writeFileSync(path.join(webDir, 'assets', 'app-1234.js'), 'console.log(1)');
    deps = {
      logger: silentLogger(),
      sessions: new SessionCookies({
        sealer: new CookieSealer([randomBytes(32)]),
        idleMs: 60_000,
        absoluteMs: 3_600_000,
      }),
      // Nothing listens on port 9 of the loopback: the "service down" case.
      upstreams: {
        documents: 'http://127.0.0.1:9',
        consent: 'http://127.0.0.1:9',
        audit: 'http://127.0.0.1:9',
      },
      upstreamTimeoutMs: 2000,
      webDir,
      devIssuer: await openDevIssuer(dir),
    };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const app = () => createConsoleApp(deps);

  async function signIn(body: object = { kind: 'auditor' }) {
    const res = await request(app()).post('/api/sign-in/dev').send(body).expect(201);
    const cookie = String(res.headers['set-cookie']?.[0] ?? '');
    return {
      cookie: cookie.split(';')[0] ?? '',
      setCookie: cookie,
      csrf: String(res.body.csrfToken),
    };
  }

  it('serves the app with a CSP that allows only its own scripts, styles and API', async () => {
    const res = await request(app()).get('/').expect(200);

    expect(res.text).toContain('Console DMP');
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests'); // plain http here
    await request(app())
      .get('/assets/app-1234.js')
      .expect(200)
      .expect('cache-control', /immutable/);
  });

  it('needs a session for every API route but sign-in, with an OperationOutcome', async () => {
    for (const path of ['/api/session', '/api/fhir/audit/AuditEvent', '/api/nothing-here']) {
      const res = await request(app()).get(path).expect(401);
      expect(res.headers['content-type']).toContain('application/fhir+json');
      expect(res.text).toContain('DMP-CONSOLE-SIGN-IN-REQUIRED');
    }
    await request(app())
      .get('/api/sign-in/options')
      .expect(200, { devIssuer: true, providers: [] });
  });

  it('signs in an actor in development: an HttpOnly SameSite=Strict sealed cookie, the token never readable by the browser', async () => {
    const { cookie, setCookie, csrf } = await signIn({
      kind: 'practitioner',
      professional: '810000000001',
      name: 'Dr Camille Martin',
    });

    // JWE compact, dir + A256GCM: header..iv.ciphertext.tag, nothing readable inside.
    expect(setCookie).toMatch(
      /^dmp_console_session=[\w-]+\.\.[\w-]{16}\.[\w-]+\.[\w-]{22}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(Buffer.from(cookie.split('.')[2] ?? '', 'base64url').toString()).not.toContain(
      'Camille',
    );
    expect(cookie).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT in the clear
    const res = await request(app()).get('/api/session').set('Cookie', cookie).expect(200);
    expect(res.body).toEqual({
      user: {
        kind: 'practitioner',
        name: 'Dr Camille Martin',
        subject: '810000000001',
        via: 'dev',
      },
      csrfToken: csrf,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/eyJ/); // no JWT reaches the browser
  });

  it('refuses bad development sign-ins with a 400 naming the field, and when it is off with a 404', async () => {
    const bad = await request(app())
      .post('/api/sign-in/dev')
      .send({ kind: 'patient', ins: '12' })
      .expect(400);
    expect(bad.text).toContain('DMP-CONSOLE-REQUEST-INVALID');
    expect(bad.body.issue[0].expression).toEqual(['ins']);
    await request(app())
      .post('/api/sign-in/dev')
      .send({ kind: 'practitioner', professional: '8100', mode: 'bris_de_glace' })
      .expect(400);
    await request(app())
      .post('/api/sign-in/dev')
      .set('Content-Type', 'application/json')
      .send('{')
      .expect(400);
    const { devIssuer: _off, ...withoutDev } = deps;
    const off = await request(createConsoleApp(withoutDev))
      .post('/api/sign-in/dev')
      .send({ kind: 'auditor' });
    expect(off.status).toBe(404);
  });

  it('rejects a state-changing call from another origin or without the CSRF token', async () => {
    const { cookie, csrf } = await signIn();
    const post = () =>
      request(app()).post('/api/fhir/audit/AuditEvent/$break-glass-review').set('Cookie', cookie);

    const noToken = await post().send({ resourceType: 'Parameters' }).expect(403);
    expect(noToken.text).toContain('DMP-CONSOLE-CSRF-REJECTED');
    await post().set('X-CSRF-Token', 'forged').send({}).expect(403);
    const crossSite = await post()
      .set('X-CSRF-Token', csrf)
      .set('Origin', 'https://evil.example')
      .send({})
      .expect(403);
    expect(crossSite.text).toContain('another origin');
    await request(app())
      .post('/api/sign-in/dev')
      .set('Origin', 'https://evil.example')
      .send({ kind: 'auditor' })
      .expect(403);
  });

  it('keeps the proxy under each service’s /fhir and answers 502 when the service is down', async () => {
    const { cookie, csrf } = await signIn();

    const outside = await request(app())
      .get('/api/fhir/audit/%2e%2e/metrics')
      .set('Cookie', cookie)
      .expect(400);
    expect(outside.text).toContain('Not a FHIR path');
    await request(app()).get('/api/fhir/billing/Invoice').set('Cookie', cookie).expect(404);
    const down = await request(app())
      .get('/api/fhir/audit/AuditEvent')
      .set('Cookie', cookie)
      .expect(502);
    expect(down.text).toContain('DMP-CONSOLE-UPSTREAM-UNAVAILABLE');
    expect(down.text).not.toContain('127.0.0.1');
    await request(app())
      .post('/api/fhir/consent/Consent/$dmp-change')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .set('Content-Type', 'application/fhir+json')
      .send('{}')
      .expect(502);
  });

  it('signs out: the browser’s cookie is cleared (a copy taken before lives until it expires)', async () => {
    const { cookie, csrf } = await signIn();
    const out = await request(app())
      .post('/api/sign-out')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .expect(204);
    expect(String(out.headers['set-cookie']?.[0])).toMatch(
      /^dmp_console_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly$/,
    );
    await request(app()).get('/api/session').expect(401);
    // The stateless trade-off (README, Console): nothing server-side to forget.
    await request(app()).get('/api/session').set('Cookie', cookie).expect(200);
  });

  const listening = async (server: Server): Promise<number> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  /**
   * A console in front of a stand-in for one service (answering with `handler`), and an auditor
   * signed in to it; `close` ends both.
   */
  async function behindConsole(service: UpstreamName, handler: RequestListener) {
    const upstream = createServer(handler);
    const upstreamPort = await listening(upstream);
    const live = createServer(
      createConsoleApp({
        ...deps,
        upstreams: { ...deps.upstreams, [service]: `http://127.0.0.1:${upstreamPort}` },
      }),
    );
    const consolePort = await listening(live);
    const signedIn = await request(live).post('/api/sign-in/dev').send({ kind: 'auditor' });
    return {
      live,
      upstreamPort,
      consolePort,
      cookie: String(signedIn.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '',
      csrf: String(signedIn.body.csrfToken),
      close: () => {
        live.close();
        upstream.closeAllConnections();
        upstream.close();
      },
    };
  }

  it('answers what a service said with Cache-Control: no-store, so no patient data stays in the browser', async () => {
    const behind = await behindConsole('documents', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/fhir+json', ETag: 'W/"1"' });
      res.end('{"resourceType":"Bundle","type":"searchset"}');
    });
    try {
      const res = await request(behind.live)
        .get('/api/fhir/documents/DocumentReference')
        .set('Cookie', behind.cookie)
        .expect(200);

      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.etag).toBe('W/"1"');
      expect(res.body.resourceType).toBe('Bundle');
    } finally {
      behind.close();
    }
  });

  it('shows a Location under the console’s path, never the service’s internal address', async () => {
    let location = '';
    const behind = await behindConsole('consent', (_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/fhir+json', Location: location });
      res.end('{"resourceType":"OperationOutcome","issue":[]}');
    });
    try {
      const port = behind.upstreamPort;
      const post = () =>
        request(behind.live)
          .post('/api/fhir/consent/Consent')
          .set('Cookie', behind.cookie)
          .set('X-CSRF-Token', behind.csrf)
          .set('Content-Type', 'application/fhir+json')
          .send('{}')
          .expect(201);

      location = `http://127.0.0.1:${port}/fhir/Consent/c1/_history/2`;
      expect((await post()).headers.location).toBe('/api/fhir/consent/Consent/c1/_history/2');
      location = 'Consent/c1/_history/2';
      expect((await post()).headers.location).toBe('Consent/c1/_history/2');
      for (const elsewhere of [
        'https://evil.example/fhir/Consent/1',
        `http://127.0.0.1:${port}/metrics`,
      ]) {
        location = elsewhere;
        expect((await post()).headers.location).toBeUndefined();
      }
    } finally {
      behind.close();
    }
  });

  it('cancels the service’s answer when the browser leaves in the middle of it', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const behind = await behindConsole('audit', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/fhir+ndjson' });
      res.write('{"resourceType":"AuditEvent"}\n');
      res.on('close', upstreamClosed); // never ended by the service itself
    });
    try {
      for (const method of ['GET', 'POST']) {
        const upstreamGone =
          method === 'GET' ? closed : new Promise<void>((r) => (upstreamClosed = r));
        const browser = httpRequest({
          host: '127.0.0.1',
          port: behind.consolePort,
          method,
          path: '/api/fhir/audit/AuditEvent/$export',
          headers: {
            Cookie: behind.cookie,
            'X-CSRF-Token': behind.csrf,
            'Content-Type': 'application/fhir+json',
          },
        });
        browser.on('error', () => undefined);
        browser.on('response', (answer) => answer.once('data', () => browser.destroy()));
        browser.end(method === 'POST' ? '{}' : undefined);
        await expect(
          Promise.race([
            upstreamGone.then(() => 'cancelled'),
            new Promise((resolve) => setTimeout(() => resolve('still open'), 3000)),
          ]),
        ).resolves.toBe('cancelled');
      }
    } finally {
      behind.close();
    }
  });

  it('answers a badly percent-encoded path with an OperationOutcome, never a 500', async () => {
    const { cookie } = await signIn();
    for (const path of ['/api/fhir/documents/%E0%A4%A', '/auth/oidc/%E0/login', '/assets/%E0']) {
      const res = await request(app()).get(path).set('Cookie', cookie);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).toContain('OperationOutcome');
    }
  });

  it('answers 405 with Allow for a method a route does not take', async () => {
    const res = await request(app()).delete('/api/session').expect(405);
    expect(res.headers.allow).toBe('GET');
  });
});
