import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { openDevIssuer, type DevIssuer } from './dev-issuer';
import { createIssuerRouter } from './issuer-router';
import { createTokenVerifier } from './token-verifier';

const AUDIENCE = 'urn:dmp:services';
const PSC = 'https://auth.esante.gouv.fr/auth/realms/esante-wallet';

let dataDir: string;
let dev: DevIssuer;
let pscKey: KeyLike;
let router: ReturnType<typeof createIssuerRouter>;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-router-'));
  dev = await openDevIssuer(dataDir);
  const pair = await generateKeyPair('ES256', { extractable: true });
  pscKey = pair.privateKey;
  const pscJwk = { ...(await exportJWK(pair.publicKey)), kid: 'psc-1', alg: 'ES256' };
  router = createIssuerRouter([
    {
      issuers: [dev.issuer],
      verifier: createTokenVerifier({ jwks: dev.jwks, issuers: [dev.issuer], audience: AUDIENCE }),
    },
    {
      issuers: [PSC],
      verifier: createTokenVerifier({
        jwks: { keys: [pscJwk] },
        issuers: [PSC],
        audience: AUDIENCE,
      }),
    },
  ]);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function pscToken(issuer: string): Promise<string> {
  return new SignJWT({ fr_dmp: { actor_kind: 'practitioner' } })
    .setProtectedHeader({ alg: 'ES256', kid: 'psc-1' })
    .setIssuer(issuer)
    .setSubject('810000000002')
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(pscKey);
}

describe('createIssuerRouter', () => {
  it('verifies each token with the keys of the issuer it names', async () => {
    const devToken = await dev.sign({ sub: 'client', fr_dmp: { actor_kind: 'system' } });

    await expect(router.verify(`Bearer ${devToken}`)).resolves.toMatchObject({
      kind: 'system',
      issuer: dev.issuer,
    });
    await expect(router.verify(`Bearer ${await pscToken(PSC)}`)).resolves.toMatchObject({
      kind: 'practitioner',
      issuer: PSC,
    });
  });

  it('rejects a token signed by one issuer that claims to come from another', async () => {
    const impostor = await pscToken(dev.issuer);

    await expect(router.verify(`Bearer ${impostor}`)).rejects.toMatchObject({
      status: 401,
      code: 'DMP-AUTH-TOKEN-INVALID',
    });
  });

  it('rejects an unknown issuer, garbage and a missing header', async () => {
    await expect(
      router.verify(`Bearer ${await pscToken('https://evil.example')}`),
    ).rejects.toMatchObject({ code: 'DMP-AUTH-TOKEN-INVALID' });
    await expect(router.verify('Bearer x.y.z')).rejects.toMatchObject({
      code: 'DMP-AUTH-TOKEN-INVALID',
    });
    await expect(router.verify(undefined)).rejects.toMatchObject({
      code: 'DMP-AUTH-TOKEN-MISSING',
    });
  });
});
