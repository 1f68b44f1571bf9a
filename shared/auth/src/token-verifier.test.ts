import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FhirError } from '@dmp/errors';
import { DEFAULT_AUDIENCE } from './constants';
import {
  base64url,
  createTestKey,
  jwksOf,
  nowSeconds,
  practitionerClaims,
  signWith,
  TEST_ISSUER,
  type TestKey,
} from './testing/token-fixtures';
import { createTokenVerifier, type TokenVerifier } from './token-verifier';

let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;
let stranger: TestKey;
let verifier: TokenVerifier;

beforeAll(async () => {
  [rsa, ec, ed, stranger] = await Promise.all([
    createTestKey('RS256'),
    createTestKey('ES256'),
    createTestKey('EdDSA'),
    createTestKey('ES256'),
  ]);
  verifier = createTokenVerifier({
    jwks: jwksOf(rsa, ec, ed),
    issuers: [TEST_ISSUER],
    audience: DEFAULT_AUDIENCE,
  });
});

async function rejection(promise: Promise<unknown>): Promise<FhirError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FhirError)) throw new Error(`expected a FhirError, got ${String(error)}`);
  return error;
}

function expectInvalid(error: FhirError, description: string): void {
  expect(error.status).toBe(401);
  expect(error.code).toBe('DMP-AUTH-TOKEN-INVALID');
  expect(error.headers['WWW-Authenticate']).toBe(
    `Bearer realm="dmp", error="invalid_token", error_description="${description}"`,
  );
}

describe('createTokenVerifier: missing or unusable Authorization header', () => {
  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['a Bearer scheme without token', 'Bearer '],
  ])(
    'when the request has %s, verify rejects with 401 TOKEN-MISSING and a bare challenge',
    async (_label, header) => {
      const error = await rejection(verifier.verify(header));
      expect(error.status).toBe(401);
      expect(error.code).toBe('DMP-AUTH-TOKEN-MISSING');
      expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="dmp"');
    },
  );
});

describe('createTokenVerifier: rejected tokens', () => {
  it('when the token is garbage, verify says it is malformed', async () => {
    expectInvalid(
      await rejection(verifier.verify('Bearer not-a-jwt')),
      'The access token is malformed.',
    );
    expectInvalid(
      await rejection(verifier.verify('Bearer a.b.c')),
      'The access token is malformed.',
    );
    expectInvalid(
      await rejection(verifier.verify('Bearer a.b.c d.e.f')),
      'The access token is malformed.',
    );
  });

  it('when the token has expired beyond the clock tolerance, verify rejects with TOKEN-EXPIRED', async () => {
    const iat = nowSeconds() - 1000;
    const token = await signWith(ec, practitionerClaims({ iat, exp: iat + 900 }));
    const error = await rejection(verifier.verify(`Bearer ${token}`));
    expect(error.code).toBe('DMP-AUTH-TOKEN-EXPIRED');
    expect(error.status).toBe(401);
    expect(error.headers['WWW-Authenticate']).toContain('error="invalid_token"');
  });

  it('when the token expired within the clock tolerance, verify still accepts it', async () => {
    const iat = nowSeconds() - 910;
    const token = await signWith(ec, practitionerClaims({ iat, exp: iat + 900 }));
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({
      kind: 'practitioner',
    });
  });

  it('when the token is signed by a key we do not know, verify says the key is unknown', async () => {
    const token = await signWith(stranger, practitionerClaims());
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${token}`)),
      'The access token signing key is not known.',
    );
  });

  it('when a known kid signs with another key, verify says the signature is not valid', async () => {
    const token = await signWith({ ...stranger, kid: ec.kid }, practitionerClaims());
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${token}`)),
      'The access token signature is not valid.',
    );
  });

  it('when the payload was altered after signing, verify says the signature is not valid', async () => {
    const [header, , signature] = (await signWith(rsa, practitionerClaims())).split('.');
    const forged = base64url(practitionerClaims({ sub: '810000000099' }));
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${header}.${forged}.${signature}`)),
      'The access token signature is not valid.',
    );
  });

  it('when the token uses alg none, verify rejects it', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(practitionerClaims())}.`;
    const error = await rejection(verifier.verify(`Bearer ${token}`));
    expect(error.code).toBe('DMP-AUTH-TOKEN-INVALID');
  });

  it('when the token is HS256 (even keyed with public key material), verify says the algorithm is not allowed', async () => {
    const head = base64url({ alg: 'HS256', typ: 'JWT', kid: ec.kid });
    const body = base64url(practitionerClaims());
    const secret = JSON.stringify(ec.publicJwk);
    const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${head}.${body}.${mac}`)),
      'The access token algorithm is not allowed.',
    );
  });

  it('when the issuer is not in the allow-list, verify says the issuer is not trusted', async () => {
    const token = await signWith(ec, practitionerClaims({ iss: 'https://evil.example' }));
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${token}`)),
      'The access token issuer is not trusted.',
    );
  });

  it('when the audience is another service, verify says the token is not meant for us', async () => {
    const token = await signWith(ec, practitionerClaims({ aud: 'urn:other:service' }));
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${token}`)),
      'The access token is not meant for this service.',
    );
  });

  it('when a required claim is absent, verify names the claim', async () => {
    const claims = practitionerClaims();
    delete claims.iat;
    const token = await signWith(ec, claims);
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${token}`)),
      'The access token claim iat is missing or invalid.',
    );
  });

  it('when the token lives longer than maxTokenLifetimeSeconds, verify rejects it', async () => {
    const strict = createTokenVerifier({
      jwks: jwksOf(ec),
      issuers: [TEST_ISSUER],
      audience: [DEFAULT_AUDIENCE],
      maxTokenLifetimeSeconds: 900,
    });
    const iat = nowSeconds();
    const token = await signWith(ec, practitionerClaims({ iat, exp: iat + 3600 }));
    const error = await rejection(strict.verify(`Bearer ${token}`));
    expect(error.status).toBe(401);
    expect(error.code).toBe('DMP-AUTH-TOKEN-TOO-LONG-LIVED');
    expect(error.message).toBe('The access token lifetime exceeds 900 seconds.');
  });

  it('when the token is issued in the future, verify rejects it', async () => {
    const iat = nowSeconds() + 600;
    const token = await signWith(ec, practitionerClaims({ iat, exp: iat + 600 }));
    expectInvalid(
      await rejection(verifier.verify(`Bearer ${token}`)),
      'The access token is issued in the future.',
    );
  });

  it('never echoes the subject or the patient INS in the error', async () => {
    const token = await signWith(stranger, practitionerClaims());
    const error = await rejection(verifier.verify(`Bearer ${token}`));
    const everything = JSON.stringify([error.message, error.outcome, error.headers]);
    expect(everything).not.toContain('810000000042');
    expect(everything).not.toContain(token.slice(0, 20));
  });
});

describe('createTokenVerifier: accepted tokens', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('accepts a valid %s token', async (alg) => {
    const key = { RS256: () => rsa, ES256: () => ec, EdDSA: () => ed }[alg]();
    const token = await signWith(key, practitionerClaims());
    const actor = await verifier.verify(`Bearer ${token}`);
    expect(actor).toMatchObject({ kind: 'practitioner', id: '810000000042', issuer: TEST_ISSUER });
  });

  it('accepts a lower-case bearer scheme', async () => {
    const token = await signWith(ec, practitionerClaims());
    await expect(verifier.verify(`bearer ${token}`)).resolves.toMatchObject({ id: '810000000042' });
  });

  it('reads the JWKS from a file path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmp-auth-'));
    const path = join(dir, 'jwks.json');
    await writeFile(path, JSON.stringify(jwksOf(ed)));
    const fromFile = createTokenVerifier({
      jwks: path,
      issuers: [TEST_ISSUER],
      audience: DEFAULT_AUDIENCE,
    });
    const token = await signWith(ed, practitionerClaims());
    await expect(fromFile.verify(`Bearer ${token}`)).resolves.toMatchObject({
      kind: 'practitioner',
    });
  });

  it('refuses a remote JWKS over plain http to a non-local host', () => {
    expect(() =>
      createTokenVerifier({
        jwks: 'http://keys.example/jwks',
        issuers: [TEST_ISSUER],
        audience: 'x',
      }),
    ).toThrow(TypeError);
  });
});
