import type { DevIssuer } from '@dmp/auth';
import type { Logger } from '@dmp/http';
import { devMint } from './dev-sign-in';
import type { OidcSignIn } from './oidc';
import type { Renew } from './sessions';

/**
 * Renews a session's access token with what every instance has: the dev issuer, the identity
 * providers. A failure is logged (the session goes on with its token until it expires).
 */
export function renewerOf(deps: {
  logger: Logger;
  devIssuer?: DevIssuer;
  oidc?: OidcSignIn;
}): Renew {
  const renew: Renew = async (renewal) => {
    switch (renewal.via) {
      case 'dev': {
        if (!deps.devIssuer) throw new Error('development sign-in is off');
        return { grant: await devMint(deps.devIssuer, renewal.request), renewal };
      }
      case 'oidc': {
        if (!deps.oidc) throw new Error('no identity provider is configured');
        const next = await deps.oidc.refresh(renewal.provider, renewal.refreshToken);
        return { grant: next.grant, renewal: next.renewal ?? renewal };
      }
    }
  };
  return async (renewal) => {
    try {
      return await renew(renewal);
    } catch (error) {
      deps.logger.warn({ err: error, via: renewal.via }, 'console token renewal failed');
      throw error;
    }
  };
}
