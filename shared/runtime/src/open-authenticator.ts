import {
  createIssuerRouter,
  createTokenVerifier,
  openDevIssuer,
  type Actor,
  type TokenVerifier,
} from '@dmp/auth';

export interface AuthenticatorSettings {
  dataDir: string;
  devIssuer: boolean;
  jwks?: string;
  issuers: readonly string[];
  audience: string;
  /** Tokens living longer (`exp - iat`) are refused (`AUTH_MAX_TOKEN_LIFETIME_SECONDS`). */
  maxTokenLifetimeSeconds: number;
  /** Verified tokens remembered until their `exp` (`AUTH_TOKEN_CACHE_SIZE`; 0: none). */
  tokenCacheSize: number;
}

/**
 * The token check of a service: the configured issuers (`AUTH_JWKS` + `AUTH_ISSUERS`) and, when
 * enabled, the local dev issuer (its key pair is created on first start). Each issuer keeps its
 * own keys: a token is verified only with the keys of the issuer it names.
 */
export async function openAuthenticator(
  settings: AuthenticatorSettings,
): Promise<(authorization: string | undefined) => Promise<Actor>> {
  const routes: { issuers: string[]; verifier: TokenVerifier }[] = [];
  if (settings.jwks !== undefined) {
    if (settings.issuers.length === 0) {
      throw new Error('AUTH_ISSUERS must name the issuers trusted with AUTH_JWKS');
    }
    const issuers = [...settings.issuers];
    routes.push({
      issuers,
      verifier: createTokenVerifier({
        jwks: settings.jwks,
        issuers,
        audience: settings.audience,
        maxTokenLifetimeSeconds: settings.maxTokenLifetimeSeconds,
        cacheSize: settings.tokenCacheSize,
      }),
    });
  }
  if (settings.devIssuer) {
    const dev = await openDevIssuer(settings.dataDir);
    routes.push({
      issuers: [dev.issuer],
      verifier: createTokenVerifier({
        jwks: dev.jwks,
        issuers: [dev.issuer],
        audience: settings.audience,
        maxTokenLifetimeSeconds: settings.maxTokenLifetimeSeconds,
        cacheSize: settings.tokenCacheSize,
      }),
    });
  }
  if (routes.length === 0) {
    throw new Error(
      'no token issuer is trusted: set AUTH_JWKS and AUTH_ISSUERS, or AUTH_DEV_ISSUER=true',
    );
  }
  const verifier = createIssuerRouter(routes);
  return (authorization) => verifier.verify(authorization);
}
