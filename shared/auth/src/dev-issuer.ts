import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from './constants';

/**
 * Local development token issuer: one ES256 key pair kept under `<dataDir>/dev-issuer/`
 * (`private-key.jwk.json`, mode 0600, and `jwks.json`, the public JWKS services verify with).
 * Never use it in production: anyone who can read the data directory can mint tokens.
 */
export interface DevIssuer {
  issuer: typeof DEV_ISSUER;
  /** Public JWKS (one key, `kid` = RFC 7638 thumbprint, `alg` ES256, `use` sig). */
  jwks: JSONWebKeySet;
  jwksPath: string;
  /**
   * Signs `claims` with ES256. Sets `iss`, `iat` and `exp` (= iat + ttlSeconds, default 900);
   * adds `aud` (DEFAULT_AUDIENCE) and `jti` (random UUID) when missing. `issuedAt` (epoch
   * seconds) back-dates a token, for tests.
   */
  sign(claims: JWTPayload, options?: { ttlSeconds?: number; issuedAt?: number }): Promise<string>;
}

const ALG = 'ES256';

/** Structural check: errors from node:fs may come from another realm (e.g. under jest). */
function isNodeError(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

async function readJsonIfExists(path: string): Promise<JWK | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (error) {
    if (isNodeError(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function tempName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically: the content is
 * written to a temp file which is then hard-linked to `path` (link fails with EEXIST if another
 * process won the race). Readers never see a half-written file.
 */
async function createExclusive(path: string, content: string): Promise<void> {
  const temp = tempName(path);
  await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
  } catch (error) {
    if (!isNodeError(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temp);
  }
}

/** Replaces `path` atomically (temp file + rename); concurrent writers write identical bytes. */
async function replaceAtomically(path: string, content: string): Promise<void> {
  const temp = tempName(path);
  await writeFile(temp, content, { mode: 0o644, flag: 'wx' });
  await rename(temp, path);
}

async function loadOrCreatePrivateKey(path: string): Promise<JWK> {
  const existing = await readJsonIfExists(path);
  if (existing) return existing;
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  await createExclusive(path, `${JSON.stringify({ ...jwk, alg: ALG }, null, 2)}\n`);
  const winner = await readJsonIfExists(path); // ours, or the one another process linked first
  if (!winner) throw new Error(`dev issuer key vanished: ${path}`);
  return winner;
}

async function publicJwkOf(privateJwk: JWK): Promise<JWK> {
  const { kty, crv, x, y } = privateJwk;
  const base: JWK = { kty, crv, x, y };
  return { ...base, kid: await calculateJwkThumbprint(base), alg: ALG, use: 'sig' };
}

export async function openDevIssuer(dataDir: string): Promise<DevIssuer> {
  const dir = join(dataDir, 'dev-issuer');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privatePath = join(dir, 'private-key.jwk.json');
  const jwksPath = join(dir, 'jwks.json');

  const privateJwk = await loadOrCreatePrivateKey(privatePath);
  const publicJwk = await publicJwkOf(privateJwk);
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  const jwksText = `${JSON.stringify(jwks, null, 2)}\n`;
  const current = await readFile(jwksPath, 'utf8').catch(() => undefined);
  if (current !== jwksText) await replaceAtomically(jwksPath, jwksText);

  const key = await importJWK({ ...privateJwk, alg: ALG }, ALG);
  const kid = publicJwk.kid;

  async function sign(
    claims: JWTPayload,
    options: { ttlSeconds?: number; issuedAt?: number } = {},
  ): Promise<string> {
    const ttl = options.ttlSeconds ?? 900;
    if (!Number.isInteger(ttl) || ttl <= 0) throw new RangeError('ttlSeconds must be > 0');
    const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      aud: DEFAULT_AUDIENCE,
      jti: randomUUID(),
      ...claims,
      iss: DEV_ISSUER,
      iat,
      exp: iat + ttl,
    };
    return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid, typ: 'at+jwt' }).sign(key);
  }

  return { issuer: DEV_ISSUER, jwks, jwksPath, sign };
}
