import { sign, verify, type KeyObject } from 'node:crypto';
import type { ChainPosition } from '@dmp/storage';

/** What a checkpoint states: the log had head `hash` at `seq` at `time`. */
export interface CheckpointClaim extends ChainPosition {
  time: string;
}

/** A compact JWS (RFC 7515, `alg: EdDSA`) over the claim, verifiable with any JOSE library. */
export function signCheckpoint(privateKey: KeyObject, kid: string, claim: CheckpointClaim): string {
  const header = b64(JSON.stringify({ alg: 'EdDSA', kid, typ: 'dmp-audit-checkpoint+jws' }));
  const payload = b64(JSON.stringify({ seq: claim.seq, hash: claim.hash, time: claim.time }));
  const signature = sign(null, Buffer.from(`${header}.${payload}`, 'ascii'), privateKey);
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

/** The claim of a JWS whose signature verifies with `publicKey`, else undefined. */
export function verifyCheckpoint(publicKey: KeyObject, jws: string): CheckpointClaim | undefined {
  const [header, payload, signature] = jws.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return undefined;
  const ok = verify(
    null,
    Buffer.from(`${header}.${payload}`, 'ascii'),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return undefined;
  try {
    const claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CheckpointClaim;
    return typeof claim.seq === 'number' && typeof claim.hash === 'string' ? claim : undefined;
  } catch {
    return undefined;
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
