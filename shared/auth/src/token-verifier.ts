import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fhirError, isFhirError } from '@dmp/errors';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import type { Actor } from './actor';
import {
  tokenExpiredError,
  tokenInvalidError,
  tokenMissingError,
  tokenTooLongLivedError,
} from './auth-errors';
import { actorFromClaims } from './claims';
import { ALLOWED_ALGORITHMS } from './constants';
import { createLruCache } from './lru-cache';

/**
 * Where the verification keys come from: a JWKS object, an `http(s)://` URL (fetched and cached
 * by jose; plain `http` only for localhost), or a path to a JWKS JSON file (read on first use).
 */
export type JwksSource = JSONWebKeySet | URL | string;

export interface TokenVerifierOptions {
  jwks: JwksSource;
  /** Accepted `iss` values (exact match). At least one. */
  issuers: string[];
  /** Our identity: the token's `aud` must contain one of these. */
  audience: string | string[];
  /** Leeway for `exp`, `nbf` and `iat`. Default 30. */
  clockToleranceSeconds?: number;
  /** Reject tokens whose `exp - iat` is larger (SPEC F.4 asks for short-lived tokens). */
  maxTokenLifetimeSeconds?: number;
  /**
   * How many verified tokens to remember (least recently used forgotten first), so that a
   * client sending the same token again is not verified again until the token's `exp`. 0 (the
   * default) verifies every time.
   */
  cacheSize?: number;
  /** Clock (tests); default the system clock. */
  now?: () => Date;
}

export interface TokenVerifier {
  /** Checks the `Authorization` header value and returns the caller. Throws a 401 FhirError. */
  verify(authorizationHeader: string | undefined): Promise<Actor>;
}

/** Longer than any sane access token; guards the parser against oversized input. */
const MAX_TOKEN_LENGTH = 16_384;
const BEARER = /^Bearer(?:[ ]+(.*))?$/i;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function isLocalHost(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

function remoteJwksUrl(source: JwksSource): URL | undefined {
  if (source instanceof URL) return source;
  return typeof source === 'string' && /^https?:\/\//i.test(source) ? new URL(source) : undefined;
}

function createKeyResolver(source: JwksSource): JWTVerifyGetKey {
  const url = remoteJwksUrl(source);
  if (url) {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost(url))) {
      throw new TypeError('A remote JWKS must be served over https (http only for localhost).');
    }
    return createRemoteJWKSet(url);
  }
  if (source instanceof URL) throw new TypeError('Unsupported JWKS URL');
  if (typeof source !== 'string') return createLocalJWKSet(source);
  let loaded: Promise<JWTVerifyGetKey> | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => {
    const jwks = JSON.parse(await readFile(source, 'utf8')) as JSONWebKeySet;
    return createLocalJWKSet(jwks);
  };
  return async (header, token) => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined; // retry on the next request (e.g. the dev issuer was not started yet)
      throw error;
    });
    return (await loaded)(header, token);
  };
}

function extractToken(header: string | undefined): string {
  if (header === undefined) throw tokenMissingError();
  const match = BEARER.exec(header.trim());
  if (!match) throw tokenMissingError(); // another scheme: challenge without an error code
  const token = (match[1] ?? '').trim();
  if (token === '') throw tokenMissingError();
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw tokenInvalidError('The access token is malformed.');
  }
  return token;
}

function describeClaimFailure(error: errors.JWTClaimValidationFailed): string {
  switch (error.claim) {
    case 'iss':
      return 'The access token issuer is not trusted.';
    case 'aud':
      return 'The access token is not meant for this service.';
    case 'nbf':
      return 'The access token is not valid yet.';
    default:
      return `The access token claim ${error.claim} is missing or invalid.`;
  }
}

/** Maps jose failures to our 401s with fixed descriptions (jose messages are not passed on). */
function toAuthError(error: unknown): Error {
  if (isFhirError(error)) return error;
  if (error instanceof errors.JWTExpired) return tokenExpiredError(error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    return tokenInvalidError(describeClaimFailure(error), error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return tokenInvalidError('The access token algorithm is not allowed.', error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return tokenInvalidError('The access token signature is not valid.', error);
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return tokenInvalidError('The access token signing key is not known.', error);
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return fhirError('DMP-INTERNAL', 'The token signing keys could not be loaded.');
  }
  if (error instanceof errors.JOSEError) {
    return tokenInvalidError('The access token is malformed.', error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

interface VerifiedToken {
  actor: Actor;
  /** `exp` in epoch milliseconds: never served at or after it. */
  expiresAtMs: number;
}

/** The cache key: a hash of the whole compact token (header, payload and signature). */
function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A verified Actor is shared by every request that presents the same token: read-only. */
function frozen(actor: Actor): Actor {
  for (const value of Object.values(actor)) {
    if (typeof value === 'object' && value !== null) Object.freeze(value);
  }
  return Object.freeze(actor);
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (options.issuers.length === 0) throw new TypeError('createTokenVerifier needs an issuer');
  const audience = ([] as string[]).concat(options.audience);
  if (audience.length === 0) throw new TypeError('createTokenVerifier needs an audience');
  const tolerance = options.clockToleranceSeconds ?? 30;
  const maxLifetime = options.maxTokenLifetimeSeconds;
  const getKey = createKeyResolver(options.jwks);
  const now = options.now ?? (() => new Date());
  const cache =
    options.cacheSize !== undefined && options.cacheSize > 0
      ? createLruCache<string, VerifiedToken>(options.cacheSize)
      : undefined;

  async function verifyToken(token: string, at: Date): Promise<VerifiedToken> {
    try {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: options.issuers,
        audience,
        clockTolerance: tolerance,
        currentDate: at,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      });
      const iat = payload.iat ?? 0;
      const exp = payload.exp ?? 0;
      if (iat > at.getTime() / 1000 + tolerance) {
        throw tokenInvalidError('The access token is issued in the future.');
      }
      if (maxLifetime !== undefined && exp - iat > maxLifetime) {
        throw tokenTooLongLivedError(maxLifetime);
      }
      return { actor: frozen(actorFromClaims(payload)), expiresAtMs: exp * 1000 };
    } catch (error) {
      throw toAuthError(error);
    }
  }

  async function verify(authorizationHeader: string | undefined): Promise<Actor> {
    const token = extractToken(authorizationHeader);
    const at = now();
    if (!cache) return (await verifyToken(token, at)).actor;
    const key = tokenKey(token);
    const known = cache.get(key);
    if (known && at.getTime() < known.expiresAtMs) return known.actor;
    if (known) cache.delete(key);
    // Only what verified is kept, and only while it has not expired; failures are not kept.
    const verified = await verifyToken(token, at);
    if (at.getTime() < verified.expiresAtMs) cache.set(key, verified);
    return verified.actor;
  }

  return { verify };
}
