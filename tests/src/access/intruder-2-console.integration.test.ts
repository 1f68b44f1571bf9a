import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { silentLogger } from '@dmp/http';
import { CookieSealer, createConsoleApp, SessionCookies } from '../../../services/console/src/app';
import { close, INS_SYSTEM, listen } from '../wiring/wired-harness';
import { claims, INS_A, INS_B, openWorld, type World } from './world';

/**
 * The intruder signed in to the console as patient B: the console proxies to the services with
 * B's own token and adds no right, whatever B sends it (another Authorization, X-Forwarded-*,
 * Host, paths out of /fhir, another user's cookie, a return address elsewhere).
 */
let world: World;
let console_: ReturnType<typeof createConsoleApp>;
const servers: Awaited<ReturnType<typeof listen>>[] = [];

beforeAll(async () => {
  world = await openWorld();
  const documents = await listen(world.wired.documents);
  const audit = await listen(world.wired.audit);
  servers.push(documents, audit);
  const webDir = path.join(world.wired.dir, 'web');
  mkdirSync(webDir, { recursive: true });
  writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Console DMP</title>');
  console_ = createConsoleApp({
    logger: silentLogger(),
    sessions: new SessionCookies({
      sealer: new CookieSealer([randomBytes(32)]),
      idleMs: 60_000,
      absoluteMs: 3_600_000,
    }),
    upstreams: { documents: documents.url, consent: world.wired.consentUrl, audit: audit.url },
    upstreamTimeoutMs: 5000,
    webDir,
    devIssuer: world.wired.issuer,
  });
}, 120_000);
afterAll(async () => {
  for (const { server } of servers) await close(server);
  await world.close();
});

async function signIn(ins: string) {
  const res = await request(console_)
    .post('/api/sign-in/dev')
    .send({ kind: 'patient', ins })
    .expect(201);
  const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  return { cookie, csrf: String(res.body.csrfToken) };
}

describe('patient B in the console', () => {
  const A = `${INS_SYSTEM}|${INS_A}`;

  it('reaches none of A’s documents, whatever headers and paths are sent', async () => {
    const b = await signIn(INS_B);
    const aToken = await world.token(claims.patient(INS_A));
    const plain = world.documents.plain;
    const paths = [
      `/api/fhir/documents/DocumentReference/${plain.id}`,
      `/api/fhir/documents/DocumentReference/${plain.id}/_history/1`,
      `/api/fhir/documents/Binary/${plain.binaryId}`,
      `/api/fhir/documents/DocumentReference?patient.identifier=${A}&status=current`,
      `/api/fhir/documents/DocumentReference?patient=${world.patientA}&status=current`,
      `/api/fhir/documents/..%2f..%2fDocumentReference/${plain.id}`,
      `/api/fhir/documents/%2e%2e/fhir/DocumentReference/${plain.id}`,
      `/api/fhir/documents/DocumentReference/${plain.id}?_format=json&access_token=${aToken}`,
      `/api/fhir/consent/Consent?patient.identifier=${A}`,
      `/api/fhir/consent/Communication?patient.identifier=${A}`,
    ];
    for (const target of paths) {
      const res = await request(console_)
        .get(target)
        .set('Cookie', b.cookie)
        .set('Authorization', `Bearer ${aToken}`)
        .set('X-Forwarded-For', '127.0.0.1')
        .set('X-Forwarded-Host', 'documents.internal')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Original-URL', `/fhir/DocumentReference/${plain.id}`)
        .set('Host', 'documents.internal');
      expect({ target, ok: res.status < 300 && res.text.includes(plain.marker) }).toEqual({
        target,
        ok: false,
      });
      expect(res.text).not.toContain(plain.marker);
      // A search may echo what B sent in its self link; it finds nothing of A.
      if (res.status < 300)
        expect({ target, entry: res.body.entry ?? [] }).toEqual({ target, entry: [] });
    }
  });

  it('cannot change A’s record through the proxy', async () => {
    const b = await signIn(INS_B);
    const res = await request(console_)
      .patch(`/api/fhir/documents/DocumentReference/${world.documents.plain.id}`)
      .set('Cookie', b.cookie)
      .set('X-CSRF-Token', b.csrf)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'entered-in-error' }]));
    expect(res.status).toBe(404);
    const change = await request(console_)
      .post('/api/fhir/consent/Consent/$dmp-change')
      .set('Cookie', b.cookie)
      .set('X-CSRF-Token', b.csrf)
      .set('Content-Type', 'application/fhir+json')
      .send(
        JSON.stringify({
          resourceType: 'Parameters',
          parameter: [
            { name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: INS_A } },
            {
              name: 'change',
              part: [
                { name: 'type', valueCode: 'hide-everything' },
                { name: 'value', valueBoolean: true },
              ],
            },
          ],
        }),
      );
    expect(change.status).toBeGreaterThanOrEqual(400);
    expect(change.status).toBeLessThan(500);
  });

  it('is not A with A’s altered, stolen-shape or foreign cookie', async () => {
    const a = await signIn(INS_A);
    const [name, value = ''] = a.cookie.split('=');
    const altered = `${name ?? ''}=${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}${value.slice(-1)}`;
    const res = await request(console_).get('/api/session').set('Cookie', altered);
    expect(res.status).toBe(401);
    const other = createConsoleApp({
      logger: silentLogger(),
      sessions: new SessionCookies({
        sealer: new CookieSealer([randomBytes(32)]),
        idleMs: 60_000,
        absoluteMs: 3_600_000,
      }),
      upstreams: {
        documents: 'http://127.0.0.1:9',
        consent: 'http://127.0.0.1:9',
        audit: 'http://127.0.0.1:9',
      },
      upstreamTimeoutMs: 1000,
      webDir: path.join(world.wired.dir, 'web'),
    });
    const foreign = await request(other).get('/api/session').set('Cookie', a.cookie);
    expect(foreign.status).toBe(401);
  });

  it('the sign-in return address stays on the console', async () => {
    for (const target of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example',
      '/%2F%2Fevil.example',
    ]) {
      const res = await request(console_).get(
        `/auth/oidc/pro/login?return=${encodeURIComponent(target)}`,
      );
      // No provider is configured here: nothing redirects anywhere.
      expect(res.headers.location ?? '').not.toContain('evil.example');
    }
  });
});

describe('the audit trail tells a refused caller no more than the 404 did', () => {
  it('neither a patient nor a professional reads the real reason of their own refusals; an auditor does', async () => {
    const masked = world.documents.masked;
    const stranger = await world.token(
      claims.practitioner('810000007499', { attestation: 'care_team' }),
    );
    const patientB = await world.token(claims.patient(INS_B));
    for (const bearer of [stranger, patientB]) {
      await request(world.wired.documents)
        .get(`/fhir/DocumentReference/${masked.id}`)
        .set('Authorization', `Bearer ${bearer}`)
        .expect(404);
    }
    await world.drained();
    const reasons = /DOCUMENT_MASKED|NOT_THE_HOLDER|MASQUE_PS|DMP_NOT_FOUND/;
    for (const [bearer, query] of [
      [stranger, 'agent.identifier=urn:oid:1.2.250.1.71.4.2.1|810000007499'],
      [patientB, `patient.identifier=${INS_SYSTEM}|${INS_A}`],
      [patientB, `patient.identifier=${INS_SYSTEM}|${INS_B}`],
    ] as const) {
      const res = await request(world.wired.audit)
        .get(`/fhir/AuditEvent?${query}&_count=100`)
        .set('Authorization', `Bearer ${bearer}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(reasons);
      // Not even that the refusal happened: whose document it was stays unknown too.
      const events = JSON.stringify(res.body.entry ?? []);
      expect(events).not.toContain(INS_A);
      expect(events).not.toContain(masked.id);
      for (const entry of (res.body.entry ?? []) as { resource: { id: string } }[]) {
        const one = await request(world.wired.audit)
          .get(`/fhir/AuditEvent/${entry.resource.id}`)
          .set('Authorization', `Bearer ${bearer}`)
          .expect(200);
        expect(one.text).not.toMatch(reasons);
      }
    }
    const auditor = await world.token(claims.auditor());
    const all = await request(world.wired.audit)
      .get(`/fhir/AuditEvent?patient.identifier=${INS_SYSTEM}|${INS_A}&_count=100`)
      .set('Authorization', `Bearer ${auditor}`)
      .expect(200);
    expect(all.text).toMatch(/DOCUMENT_MASKED/);
    expect(all.text).toMatch(/NOT_THE_HOLDER/);
    // The patient the refusals are about reads them, reasons included.
    const holder = await world.token(claims.patient(INS_A));
    const theirs = await request(world.wired.audit)
      .get(`/fhir/AuditEvent?outcome=4&_count=100`)
      .set('Authorization', `Bearer ${holder}`)
      .expect(200);
    expect(theirs.text).toMatch(/DOCUMENT_MASKED/);
  });
});
