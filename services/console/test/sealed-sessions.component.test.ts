import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { openDevIssuer, type DevIssuer } from '@dmp/auth';
import { silentLogger } from '@dmp/http';
import {
  COOKIE_PIECE_CHARS,
  CookieSealer,
  createConsoleApp,
  loadSessionKeys,
  MAX_SESSION_PIECES,
  SessionCookies,
  type Session,
} from '../src/app';

/**
 * Sessions sealed in cookies (JWE dir + A256GCM): several console instances built with the same
 * keys, as behind a load balancer, each serving what another sealed; nothing kept server-side.
 * Over HTTP with supertest; the services behind the console are one small recording server.
 */
describe('console sessions sealed in cookies (any instance serves any request)', () => {
  const IDLE_MS = 30 * 60_000;
  const ABSOLUTE_MS = 12 * 3_600_000;
  let dir: string;
  let devIssuer: DevIssuer;
  let upstream: Server;
  let upstreamUrl: string;
  /** The Authorization headers the "services" received, in order. */
  let bearers: string[];
  const key1 = randomBytes(32);
  const key2 = randomBytes(32);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dmp-console-sealed-'));
    devIssuer = await openDevIssuer(dir);
    bearers = [];
    upstream = await new Promise<Server>((resolve) => {
      const server = createServer((req, res) => {
        bearers.push(req.headers.authorization ?? '');
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/fhir+json' });
          res.end('{"resourceType":"Bundle","type":"searchset","total":0}');
        });
      });
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  interface InstanceOptions {
    keys?: Buffer[];
    now?: () => number;
  }

  /** One console instance: its own process state, the keys it is configured with. */
  function instance(options: InstanceOptions = {}): { app: Express; sessions: SessionCookies } {
    const sessions = new SessionCookies({
      sealer: new CookieSealer(options.keys ?? [key1]),
      idleMs: IDLE_MS,
      absoluteMs: ABSOLUTE_MS,
      ...(options.now ? { now: options.now } : {}),
    });
    const app = createConsoleApp({
      logger: silentLogger(),
      sessions,
      upstreams: { documents: upstreamUrl, consent: upstreamUrl, audit: upstreamUrl },
      upstreamTimeoutMs: 2000,
      webDir: dir,
      devIssuer,
    });
    return { app, sessions };
  }

  /** A browser's cookies for the console (what `Set-Cookie` set and did not clear). */
  class Jar {
    readonly cookies = new Map<string, string>();

    take(res: request.Response): this {
      const lines = res.headers['set-cookie'] as unknown as string[] | undefined;
      for (const line of lines ?? []) {
        const [pair = ''] = line.split(';');
        const index = pair.indexOf('=');
        const name = pair.slice(0, index);
        const value = pair.slice(index + 1);
        if (/Expires=Thu, 01 Jan 1970/.test(line) || value === '') this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      return this;
    }

    header(): string {
      return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }

    /** The sealed session, joined from its pieces. */
    sealed(): string {
      let sealed = '';
      for (let piece = 0; piece < MAX_SESSION_PIECES; piece += 1) {
        sealed +=
          this.cookies.get(piece === 0 ? 'dmp_console_session' : `dmp_console_session_${piece}`) ??
          '';
      }
      return sealed;
    }
  }

  async function signIn(app: Express, body: object = { kind: 'auditor' }) {
    const res = await request(app).post('/api/sign-in/dev').send(body).expect(201);
    return { jar: new Jar().take(res), csrf: String(res.body.csrfToken), res };
  }

  const sessionOf = (app: Express, jar: Jar) =>
    request(app).get('/api/session').set('Cookie', jar.header());

  /** Sets a sealed session as the browser would hold it (pieces of at most 3,800 characters). */
  function jarWith(sealed: string): Jar {
    const jar = new Jar();
    for (let at = 0, piece = 0; at < sealed.length; at += COOKIE_PIECE_CHARS, piece += 1) {
      const name = piece === 0 ? 'dmp_console_session' : `dmp_console_session_${piece}`;
      jar.cookies.set(name, sealed.slice(at, at + COOKIE_PIECE_CHARS));
    }
    return jar;
  }

  const expectSignInRequired = (res: request.Response) => {
    expect([res.status, res.text]).toEqual([
      401,
      expect.stringContaining('DMP-CONSOLE-SIGN-IN-REQUIRED'),
    ]);
  };

  it('signs in on one instance; another reads the session, passes CSRF and calls a service with the token', async () => {
    const a = instance();
    const b = instance();
    const { jar, csrf } = await signIn(a.app, {
      kind: 'practitioner',
      professional: '810000000001',
      name: 'Dr Camille Martin',
    });

    const session = await sessionOf(b.app, jar).expect(200);
    expect(session.body).toEqual({
      user: {
        kind: 'practitioner',
        name: 'Dr Camille Martin',
        subject: '810000000001',
        via: 'dev',
      },
      csrfToken: csrf,
    });
    bearers.length = 0;
    await request(b.app)
      .post('/api/fhir/consent/Consent/$dmp-change')
      .set('Cookie', jar.header())
      .set('X-CSRF-Token', csrf)
      .set('Content-Type', 'application/fhir+json')
      .send('{"resourceType":"Parameters"}')
      .expect(200);
    const token = (bearers[0] ?? '').replace(/^Bearer /, '');
    expect(decodeJwt(token)).toMatchObject({ sub: '810000000001', iss: devIssuer.issuer });
    const forged = await request(b.app)
      .post('/api/fhir/consent/Consent/$dmp-change')
      .set('Cookie', jar.header())
      .set('X-CSRF-Token', 'x'.repeat(43))
      .send('{}')
      .expect(403);
    expect(forged.text).toContain('DMP-CONSOLE-CSRF-REJECTED');

    // A restart: a new process with the same keys signs nobody out.
    await sessionOf(instance().app, jar).expect(200);
    // Signing out on a third instance clears the browser's cookie.
    jar.take(
      await request(instance().app)
        .post('/api/sign-out')
        .set('Cookie', jar.header())
        .set('X-CSRF-Token', csrf)
        .expect(204),
    );
    expect(jar.cookies.size).toBe(0);
    expectSignInRequired(await sessionOf(a.app, jar));
  });

  it('refuses a foreign, altered, cut, swapped or malformed cookie with 401, never 500', async () => {
    const { app } = instance();
    const { jar } = await signIn(app);
    const sealed = jar.sealed();
    const [header = '', , iv = '', ciphertext = '', tag = ''] = sealed.split('.');
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const foreign = await signIn(instance({ keys: [key2] }).app);
    const otherPurpose = await new CookieSealer([key1]).seal('sign-in', { state: 'x' });
    const otherLayout = await new CookieSealer([key1]).seal('session', { v: 2 });
    const notJson = await new CookieSealer([key1]).seal('session', ['no']);
    const attempts = [
      foreign.jar.sealed(),
      [flip(header, 5), '', iv, ciphertext, tag].join('.'),
      [header, '', flip(iv, 3), ciphertext, tag].join('.'),
      [header, '', iv, flip(ciphertext, 10), tag].join('.'),
      [header, '', iv, ciphertext, flip(tag, 4)].join('.'),
      [header, '', iv, ciphertext.slice(0, -4), tag].join('.'),
      [header, 'AAAA', iv, ciphertext, tag].join('.'),
      otherPurpose,
      otherLayout,
      notJson,
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'not a sealed value',
      'a'.repeat(COOKIE_PIECE_CHARS * MAX_SESSION_PIECES + 10), // more pieces than taken
      `${sealed}A`,
      `${sealed}.A`,
      sealed.replaceAll('.', '..'),
    ];
    for (const value of attempts) {
      expectSignInRequired(await sessionOf(app, jarWith(value)));
      expectSignInRequired(
        await request(app).get('/api/fhir/audit/AuditEvent').set('Cookie', jarWith(value).header()),
      );
    }
    const tooLongPiece = new Jar();
    tooLongPiece.cookies.set('dmp_console_session', `${sealed}${'A'.repeat(COOKIE_PIECE_CHARS)}`);
    expectSignInRequired(await sessionOf(app, tooLongPiece));
    // Pieces out of place: the second piece of a long session alone, or the first without it.
    const long = await signIn(app, {
      kind: 'practitioner',
      professional: 'A'.repeat(64),
      name: 'N'.repeat(200),
      mode: 'bris_de_glace',
      reason: 'R'.repeat(500),
    });
    expect(long.jar.cookies.has('dmp_console_session_1')).toBe(true);
    const first = new Jar();
    first.cookies.set('dmp_console_session', long.jar.cookies.get('dmp_console_session') ?? '');
    expectSignInRequired(await sessionOf(app, first));
    await sessionOf(app, long.jar).expect(200);
  });

  it('refuses a session left idle, keeps a used one alive by sealing it again, and ends every session after its absolute lifetime', async () => {
    let clock = Date.now();
    const a = instance({ now: () => clock });
    const b = instance({ now: () => clock });
    const { jar } = await signIn(a.app);
    const firstSeal = jar.sealed();

    // Used within a minute: no new seal (at most one a minute).
    clock += 30_000;
    const early = await sessionOf(b.app, jar).expect(200);
    expect(early.headers['set-cookie']).toBeUndefined();

    // Used after 20 minutes: sealed again with the new last use, on whichever instance.
    clock += 20 * 60_000;
    const resealed = await sessionOf(b.app, jar).expect(200);
    expect(resealed.headers['cache-control']).toBe('no-store');
    jar.take(resealed);
    expect(jar.sealed()).not.toBe(firstSeal);
    clock += 20 * 60_000; // 40 minutes after sign-in, 20 after the last use
    jar.take(await sessionOf(a.app, jar).expect(200));
    expectSignInRequired(await sessionOf(a.app, jarWith(firstSeal))); // the old seal: idle

    // Idle longer than the timeout: refused everywhere.
    const idle = new Jar();
    idle.cookies.set('dmp_console_session', jar.cookies.get('dmp_console_session') ?? '');
    clock += IDLE_MS + 1000;
    expectSignInRequired(await sessionOf(b.app, idle));

    // Used every 20 minutes, a session still ends 12 hours after sign-in.
    const busy = await signIn(a.app);
    const started = clock;
    while (clock - started < ABSOLUTE_MS - 20 * 60_000) {
      clock += 20 * 60_000;
      busy.jar.take(await sessionOf(b.app, busy.jar).expect(200));
    }
    clock = started + ABSOLUTE_MS + 1000;
    expectSignInRequired(await sessionOf(a.app, busy.jar));
  });

  it('rotates keys: the old key still opens, new cookies are sealed with the new one', async () => {
    const old = instance({ keys: [key1] });
    const rotated = instance({ keys: [key2, key1] });
    const onlyNew = instance({ keys: [key2] });
    const before = await signIn(old.app);

    await sessionOf(rotated.app, before.jar).expect(200);
    const after = await signIn(rotated.app);
    const kid = (jar: Jar) => decodeProtectedHeader(jar.sealed()).kid;
    expect(kid(after.jar)).not.toBe(kid(before.jar));
    expect(decodeProtectedHeader(after.jar.sealed())).toMatchObject({
      alg: 'dir',
      enc: 'A256GCM',
      typ: 'dmp-console-session',
    });
    await sessionOf(onlyNew.app, after.jar).expect(200);
    expectSignInRequired(await sessionOf(onlyNew.app, before.jar)); // old key dropped
    expectSignInRequired(await sessionOf(old.app, after.jar)); // an instance not yet rotated

    // A session sealed with the old key and used on a rotated instance is sealed with the new one.
    let clock = Date.now();
    const rotatedLater = instance({ keys: [key2, key1], now: () => clock });
    clock += 5 * 60_000;
    before.jar.take(await sessionOf(rotatedLater.app, before.jar).expect(200));
    expect(kid(before.jar)).toBe(kid(after.jar));
  });

  it('renews an expiring token on any instance and seals the new one into the cookie', async () => {
    const a = instance();
    const b = instance();
    const { jar } = await signIn(a.app, { kind: 'patient', ins: '180057512345678' });
    // The same session as sealed, its token about to expire (the test holds the keys).
    const session = (await a.sessions.open(jar.sealed())) as Session;
    const oldToken = session.grant.accessToken;
    session.grant.expiresAt = Math.floor(Date.now() / 1000) + 30;
    session.lastUsed -= 5 * 60_000; // also due for the rolling re-seal
    const expiring = jarWith(await a.sessions.seal(session));
    const sessionLines = (res: request.Response) =>
      ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).filter((line) =>
        line.startsWith('dmp_console_session='),
      );

    bearers.length = 0;
    const renewed = await request(b.app)
      .get('/api/fhir/documents/DocumentReference')
      .set('Cookie', expiring.header())
      .expect(200);
    expect(renewed.headers['cache-control']).toBe('no-store'); // it carries credentials
    expect(sessionLines(renewed)).toHaveLength(1); // the renewal replaced the rolling re-seal
    expiring.take(renewed);
    const newToken = (bearers[0] ?? '').replace(/^Bearer /, '');
    expect(newToken).not.toBe(oldToken);
    expect(decodeJwt(newToken)).toMatchObject({ sub: '180057512345678' });
    const resealed = (await b.sessions.open(expiring.sealed())) as Session;
    expect(resealed.grant.accessToken).toBe(newToken);
    expect(resealed.csrfToken).toBe(session.csrfToken);

    // Expired and nothing to renew it with: signed out, the cookie cleared.
    const { renewal: _none, ...withoutRenewal } = session;
    const dead = jarWith(
      await a.sessions.seal({
        ...withoutRenewal,
        grant: { ...session.grant, expiresAt: Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    const gone = await request(b.app)
      .get('/api/fhir/documents/DocumentReference')
      .set('Cookie', dead.header());
    expectSignInRequired(gone);
    expect(sessionLines(gone)).toEqual([expect.stringMatching(/^dmp_console_session=; /)]);
    expect(dead.take(gone).cookies.size).toBe(0);
  });

  it('keeps every cookie under the browsers’ 4 KiB: one for a dev-issuer session, pieces for large tokens', async () => {
    const { app } = instance();
    const cookieLines = (res: request.Response) =>
      ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).filter(
        (line) => !/Expires=Thu, 01 Jan 1970/.test(line),
      );
    const nameValueBytes = (line: string) => Buffer.byteLength(line.split(';')[0] ?? '');

    // A dev-issuer professional: one cookie, about 2 KB.
    const doctor = await signIn(app, { kind: 'practitioner', professional: '810000000001' });
    const doctorLines = cookieLines(doctor.res);
    expect(doctorLines).toHaveLength(1);
    expect(nameValueBytes(doctorLines[0] ?? '')).toBeLessThan(2600);

    // The longest a dev sign-in accepts (200-character name, 500-character reason, accented):
    // pieces, each under 4 KiB, and any instance joins them.
    const longest = await signIn(app, {
      kind: 'practitioner',
      professional: 'A'.repeat(64),
      name: 'é'.repeat(200),
      mode: 'bris_de_glace',
      reason: 'é'.repeat(500),
    });
    const longLines = cookieLines(longest.res);
    expect(longLines.length).toBeGreaterThan(1);
    expect(longLines.length).toBeLessThanOrEqual(MAX_SESSION_PIECES);
    for (const line of longLines) expect(nameValueBytes(line)).toBeLessThan(4096);
    await sessionOf(instance().app, longest.jar).expect(200);

    // A Pro Santé Connect-sized grant: a Keycloak RS256 access token with the DMP claims (about
    // 2.5 KB) and its refresh token (about 0.9 KB).
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const iss = 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet';
    const sid = '1e7b5c1e-2f43-4a8e-9b7e-3d9c1a2b4c5d';
    const accessToken = await new SignJWT({
      exp: now + 120,
      iat: now,
      auth_time: now,
      jti: 'a0f3c9e2-6b1d-4f5e-8c7a-9d2e1b3f4a5c',
      iss,
      aud: ['urn:dmp:services', 'account'],
      sub: 'f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:ANS20200121112723',
      typ: 'Bearer',
      azp: 'dmp-console',
      nonce: 'n'.repeat(43),
      session_state: sid,
      acr: 'eidas1',
      'allowed-origins': ['https://console.dmp.example.fr'],
      realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles'] },
      resource_access: { account: { roles: ['manage-account', 'view-profile'] } },
      scope: 'openid scope_all ihe_iua fr_dmp patient/*.rs',
      sid,
      preferred_username: '810002300953',
      SubjectNameID: '810002300953',
      client_id: 'dmp-console',
      extensions: {
        ihe_iua: {
          subject_name: 'Dr Camille MARTIN-DUPONT',
          subject_organization: 'Centre Hospitalier Universitaire de Nantes',
          subject_organization_id: 'urn:oid:1.2.250.1.71.4.2.2|1440000000000',
          subject_role: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_G15', code: '10' }],
          purpose_of_use: [
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' },
          ],
          home_community_id: 'urn:oid:1.2.250.1.213.1.4.2',
          national_provider_identifier: '810002300953',
        },
        fr_dmp: { actor_kind: 'practitioner', access_mode: 'normal', attestation: 'care_team' },
      },
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'K'.repeat(43) })
      .sign(privateKey);
    const refreshToken = await new SignJWT({
      exp: now + 1800,
      iat: now,
      jti: 'b1e4d0f3-7c2e-4a6f-9d8b-0e3f2c4a5b6d',
      iss,
      aud: iss,
      sub: 'f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:ANS20200121112723',
      typ: 'Refresh',
      azp: 'dmp-console',
      nonce: 'n'.repeat(43),
      session_state: sid,
      scope: 'openid scope_all ihe_iua fr_dmp patient/*.rs',
      sid,
    })
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT', kid: '0d7e1c5f-8d48-4c5b-9a1a-0b5f3e2c8a11' })
      .sign(randomBytes(64));
    expect(accessToken.length).toBeGreaterThan(2000);
    const { sessions } = instance();
    const pro = sessions.create(
      {
        kind: 'practitioner',
        name: 'Dr Camille MARTIN-DUPONT',
        subject: '810002300953',
        via: 'pro',
      },
      { accessToken, expiresAt: now + 120 },
      { via: 'oidc', provider: 'pro', refreshToken },
    );
    const sealed = await sessions.seal(pro);
    expect(sealed.length).toBeGreaterThan(4096); // one cookie would not do
    expect(sealed.length).toBeLessThanOrEqual(2 * COOKIE_PIECE_CHARS);
    bearers.length = 0;
    await request(app)
      .get('/api/fhir/audit/AuditEvent')
      .set('Cookie', jarWith(sealed).header())
      .expect(200);
    expect(bearers).toEqual([`Bearer ${accessToken}`]);

    // A sign-in in progress (state, nonce, PKCE verifier) is a few hundred characters.
    const pending = await new CookieSealer([key1]).seal('sign-in', {
      provider: 'pro',
      state: 's'.repeat(43),
      nonce: 'n'.repeat(43),
      codeVerifier: 'v'.repeat(43),
      returnTo: '/',
      createdAt: Date.now(),
    });
    expect(pending.length).toBeLessThan(600);
  });

  it('clears the pieces of an earlier, longer session when a shorter one replaces it', async () => {
    const { app } = instance();
    const long = await signIn(app, {
      kind: 'practitioner',
      professional: 'A'.repeat(64),
      name: 'N'.repeat(200),
      mode: 'bris_de_glace',
      reason: 'R'.repeat(500),
    });
    expect(long.jar.cookies.has('dmp_console_session_1')).toBe(true);
    const res = await request(app)
      .post('/api/sign-in/dev')
      .set('Cookie', long.jar.header())
      .send({ kind: 'auditor' })
      .expect(201);
    long.jar.take(res);
    expect([...long.jar.cookies.keys()]).toEqual(['dmp_console_session']);
    await sessionOf(app, long.jar).expect(200);
  });

  it('loads the keys: configured ones, refused when malformed, generated once in development, required in production', async () => {
    const configured = [randomBytes(32).toString('base64url'), key1.toString('base64url')];
    const keys = await loadSessionKeys({
      configured,
      required: true,
      devKeyFile: path.join(dir, 'unused'),
    });
    expect(keys.map((key) => key.toString('base64url'))).toEqual(configured);
    for (const bad of [
      'short',
      `${key1.toString('base64url')}=`,
      randomBytes(16).toString('hex'),
    ]) {
      const error = await loadSessionKeys({
        configured: [configured[0] ?? '', bad],
        required: true,
        devKeyFile: '',
      }).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        'CONSOLE_SESSION_KEYS: key 2 is not 32 random bytes in base64url (43 characters)',
      );
    }
    await expect(
      loadSessionKeys({ configured: [], required: true, devKeyFile: path.join(dir, 'k') }),
    ).rejects.toThrow('CONSOLE_SESSION_KEYS is required');

    const devKeyFile = path.join(dir, 'console', 'session-key');
    const [first, second] = await Promise.all([
      loadSessionKeys({ configured: undefined, required: false, devKeyFile }),
      loadSessionKeys({ configured: undefined, required: false, devKeyFile }),
    ]);
    expect(first).toEqual(second); // two processes starting together agree
    const again = await loadSessionKeys({ configured: [], required: false, devKeyFile });
    expect(again).toEqual(first);
    expect(readFileSync(devKeyFile, 'utf8').trim()).toMatch(/^[\w-]{43}$/);
    expect(statSync(devKeyFile).mode & 0o777).toBe(0o600);
  });
});
