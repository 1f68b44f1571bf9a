import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from './constants';
import { openDevIssuer } from './dev-issuer';
import { createTokenVerifier } from './token-verifier';

async function freshDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dmp-dev-issuer-'));
}

describe('openDevIssuer', () => {
  it('on first use writes a 0600 private key and a public JWKS keyed by thumbprint', async () => {
    const dataDir = await freshDataDir();
    const issuer = await openDevIssuer(dataDir);

    const dir = join(dataDir, 'dev-issuer');
    expect((await stat(join(dir, 'private-key.jwk.json'))).mode & 0o777).toBe(0o600);
    expect(issuer.jwksPath).toBe(join(dir, 'jwks.json'));
    const onDisk = JSON.parse(await readFile(issuer.jwksPath, 'utf8')) as typeof issuer.jwks;
    expect(onDisk).toEqual(issuer.jwks);
    const [key] = issuer.jwks.keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    const { kty = '', crv, x, y } = key ?? {};
    expect(key?.kid).toBe(await calculateJwkThumbprint({ kty, crv, x, y }));
    expect(issuer.issuer).toBe(DEV_ISSUER);
  });

  it('later opens load the same key', async () => {
    const dataDir = await freshDataDir();
    const first = await openDevIssuer(dataDir);
    const second = await openDevIssuer(dataDir);
    expect(second.jwks).toEqual(first.jwks);
  });

  it('three concurrent first opens agree on one key', async () => {
    const dataDir = await freshDataDir();
    const issuers = await Promise.all([1, 2, 3].map(() => openDevIssuer(dataDir)));
    const kids = new Set(issuers.map((issuer) => issuer.jwks.keys[0]?.kid));
    expect(kids.size).toBe(1);
    const token = await issuers[2]!.sign({ sub: 'x', scope: '' });
    expect(decodeProtectedHeader(token).kid).toBe([...kids][0]);
  });

  it('signs ES256 tokens with iss, aud, jti, iat and exp = iat + ttl that a verifier trusts', async () => {
    const issuer = await openDevIssuer(await freshDataDir());
    const token = await issuer.sign(
      { sub: 'svc', scope: 'system/*.rs', extensions: { fr_dmp: { actor_kind: 'system' } } },
      { ttlSeconds: 120 },
    );
    const verifier = createTokenVerifier({
      jwks: issuer.jwksPath,
      issuers: [DEV_ISSUER],
      audience: DEFAULT_AUDIENCE,
      maxTokenLifetimeSeconds: 900,
    });
    const actor = await verifier.verify(`Bearer ${token}`);
    expect(actor).toMatchObject({ kind: 'system', id: 'svc', issuer: DEV_ISSUER });
    expect(actor.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(payload.exp - payload.iat).toBe(120);
  });

  it('refuses a non-positive ttl', async () => {
    const issuer = await openDevIssuer(await freshDataDir());
    await expect(issuer.sign({ sub: 'x' }, { ttlSeconds: 0 })).rejects.toThrow(RangeError);
  });
});
