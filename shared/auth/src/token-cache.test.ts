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
import { createTokenVerifier } from './token-verifier';

let key: TestKey;
beforeAll(async () => {
  key = await createTestKey('ES256');
});

/** A verifier with a cache and a clock the test moves. */
function cachedVerifier(cacheSize = 100) {
  const clock = { now: new Date() };
  const verifier = createTokenVerifier({
    jwks: jwksOf(key),
    issuers: [TEST_ISSUER],
    audience: DEFAULT_AUDIENCE,
    cacheSize,
    now: () => clock.now,
  });
  return { verifier, clock };
}

async function refusal(promise: Promise<unknown>): Promise<FhirError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FhirError)) throw new Error(`expected a FhirError, got ${String(error)}`);
  return error;
}

describe('createTokenVerifier with a cache of verified tokens', () => {
  it('answers the same token again with the same caller, and another token with its own', async () => {
    const { verifier } = cachedVerifier();
    const first = await signWith(key, practitionerClaims({ sub: '810000000001' }));
    const second = await signWith(key, practitionerClaims({ sub: '810000000002' }));
    const a = await verifier.verify(`Bearer ${first}`);
    expect((await verifier.verify(`Bearer ${first}`)).id).toBe('810000000001');
    expect(await verifier.verify(`Bearer ${first}`)).toEqual(a);
    expect((await verifier.verify(`Bearer ${second}`)).id).toBe('810000000002');
  });

  it('never serves a cached token past its exp (nor past the clock tolerance)', async () => {
    const { verifier, clock } = cachedVerifier();
    const iat = nowSeconds();
    const token = await signWith(key, practitionerClaims({ iat, exp: iat + 120 }));
    await verifier.verify(`Bearer ${token}`);
    clock.now = new Date((iat + 120 + 31) * 1000);
    const error = await refusal(verifier.verify(`Bearer ${token}`));
    expect(error.code).toBe('DMP-AUTH-TOKEN-EXPIRED');
  });

  it('does not accept a forged payload carrying the signature of a token it verified', async () => {
    const { verifier } = cachedVerifier();
    const token = await signWith(key, practitionerClaims({ sub: '810000000001' }));
    await verifier.verify(`Bearer ${token}`);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${base64url(practitionerClaims({ sub: '810000000666' }))}.${signature}`;
    const error = await refusal(verifier.verify(`Bearer ${forged}`));
    expect(error.code).toBe('DMP-AUTH-TOKEN-INVALID');
    // The genuine token still verifies as itself.
    expect((await verifier.verify(`Bearer ${token}`)).id).toBe('810000000001');
  });

  it('keeps no refusal: a token refused once is checked again (and refused again)', async () => {
    const { verifier, clock } = cachedVerifier();
    const iat = nowSeconds() + 300; // issued in the future: refused until the clock gets there
    const token = await signWith(key, practitionerClaims({ iat, exp: iat + 600 }));
    expect((await refusal(verifier.verify(`Bearer ${token}`))).code).toBe('DMP-AUTH-TOKEN-INVALID');
    clock.now = new Date((iat + 1) * 1000);
    expect((await verifier.verify(`Bearer ${token}`)).id).toBe('810000000042');
  });

  it('remembers at most cacheSize tokens, and every token still verifies as itself', async () => {
    const { verifier } = cachedVerifier(2);
    const tokens = await Promise.all(
      ['810000000001', '810000000002', '810000000003'].map((sub) =>
        signWith(key, practitionerClaims({ sub })),
      ),
    );
    for (const round of [1, 2]) {
      for (const [i, token] of tokens.entries()) {
        expect({ round, id: (await verifier.verify(`Bearer ${token}`)).id }).toEqual({
          round,
          id: `81000000000${i + 1}`,
        });
      }
    }
  });

  it('hands out a read-only caller, shared by every request with that token', async () => {
    const { verifier } = cachedVerifier();
    const actor = await verifier.verify(`Bearer ${await signWith(key, practitionerClaims())}`);
    expect(Object.isFrozen(actor)).toBe(true);
    expect(Object.isFrozen(actor.scopes)).toBe(true);
  });
});
