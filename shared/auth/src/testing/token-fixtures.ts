import { randomUUID } from 'node:crypto';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import type { DmpTokenClaims } from '../claims';
import { DEFAULT_AUDIENCE } from '../constants';

/** Test-only helpers: real key pairs and real signatures, no mocks. */
export const TEST_ISSUER = 'https://auth.test.dmp.example';

export interface TestKey {
  alg: 'RS256' | 'ES256' | 'EdDSA';
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

export async function createTestKey(alg: TestKey['alg'], kid = randomUUID()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { crv: 'Ed25519' });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

export function jwksOf(...keys: TestKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A valid practitioner payload; `overrides` replace top-level claims. */
export function practitionerClaims(overrides: Partial<DmpTokenClaims> = {}): JWTPayload {
  const iat = nowSeconds();
  const claims: DmpTokenClaims = {
    iss: TEST_ISSUER,
    sub: '810000000042',
    aud: DEFAULT_AUDIENCE,
    iat,
    exp: iat + 600,
    jti: randomUUID(),
    client_id: 'lps-test',
    scope: 'user/DocumentReference.rs user/Binary.r',
    extensions: {
      ihe_iua: {
        subject_name: 'Dr Test',
        subject_organization: 'CH Test',
        subject_organization_id: '1750000001',
        subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
        purpose_of_use: [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' },
        ],
        national_provider_identifier: '810000000042',
      },
      fr_dmp: { actor_kind: 'practitioner', attestation: 'care_team' },
    },
    ...overrides,
  };
  return { ...claims };
}

export async function signWith(
  key: TestKey,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

export function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
