import type { Actor } from './actor';
import { tokenInvalidError, tokenMissingError } from './auth-errors';
import type { TokenVerifier } from './token-verifier';

export interface IssuerRoute {
  issuers: readonly string[];
  verifier: TokenVerifier;
}

/**
 * Several trusted issuers, each with its own keys (e.g. Pro Santé Connect for professionals, the
 * patient identity provider, the local dev issuer). The unverified `iss` only picks the verifier;
 * that verifier then checks signature, issuer, audience and expiry as usual.
 */
export function createIssuerRouter(routes: readonly IssuerRoute[]): TokenVerifier {
  const [only] = routes;
  if (only && routes.length === 1) return only.verifier;
  return {
    verify(authorizationHeader) {
      if (authorizationHeader === undefined) return Promise.reject(tokenMissingError());
      const issuer = unverifiedIssuer(authorizationHeader);
      const route = routes.find(
        (candidate) => issuer !== undefined && candidate.issuers.includes(issuer),
      );
      if (!route) return Promise.reject(tokenInvalidError('The token issuer is not trusted'));
      return route.verifier.verify(authorizationHeader);
    },
  } satisfies { verify(header: string | undefined): Promise<Actor> };
}

function unverifiedIssuer(authorizationHeader: string): string | undefined {
  const payload = /^\s*Bearer\s+[^.\s]*\.([^.\s]*)\./i.exec(authorizationHeader)?.[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    const iss =
      typeof claims === 'object' && claims !== null ? (claims as { iss?: unknown }).iss : undefined;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
