import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonWebKey } from 'node:crypto';

/** The Ed25519 key that signs checkpoints, and its public JWK (what auditors keep). */
export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638-style thumbprint of the public JWK. */
  kid: string;
  publicJwk: JsonWebKey & { kid: string; alg: 'EdDSA'; use: 'sig' };
}

export function checkpointKeyFrom(privateKey: KeyObject): CheckpointKey {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
  return { privateKey, publicKey, kid, publicJwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' } };
}

/** A fresh key held in memory (tests, or when no data dir is used). */
export function generateCheckpointKey(): CheckpointKey {
  return checkpointKeyFrom(generateKeyPairSync('ed25519').privateKey);
}

/**
 * Loads the PKCS#8 PEM key at `file`, or creates it (mode 0600) on first start. Keep a copy of
 * the public JWK (served with the checkpoints) outside this machine.
 */
export function openCheckpointKey(file: string): CheckpointKey {
  if (existsSync(file)) return checkpointKeyFrom(createPrivateKey(readFileSync(file, 'utf8')));
  const key = generateCheckpointKey();
  mkdirSync(path.dirname(file), { recursive: true });
  const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' });
  writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  return key;
}
