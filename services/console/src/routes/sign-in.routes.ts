import express, { type Request, type Response } from 'express';
import type { DevIssuer } from '@dmp/auth';
import { fhirError, isFhirError } from '@dmp/errors';
import type { Logger } from '@dmp/http';
import {
  clearCookie,
  clearSessionCookie,
  readSealedCookie,
  setSignInCookie,
  signInCookieName,
  type CookiePolicy,
} from '../cookies';
import { devSignIn, parseDevSignIn } from '../dev-sign-in';
import { returnPathOf, type OidcSignIn, type PendingSignIn, type ProviderId } from '../oidc';
import type { CookieSealer } from '../sealing';
import type { AccessGrant, Renewal, SessionCookies, SessionUser } from '../sessions';
import { saveSession, sessionOf } from './guards';
import type { ConsoleRoute } from './route-table';

export interface SignInDeps {
  sessions: SessionCookies;
  cookies: CookiePolicy;
  logger: Logger;
  devIssuer?: DevIssuer;
  oidc?: OidcSignIn;
  /** The console's public origin (OIDC callback URL); else the Host the request came to. */
  publicUrl?: string;
}

/** What `/api/session` and a sign-in answer: the user and the CSRF token, never the token. */
function sessionView(user: SessionUser, csrfToken: string) {
  return { user, csrfToken };
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** The sign-in in progress the browser's sign-in cookie holds, or undefined. */
async function pendingOf(
  sealer: CookieSealer,
  sealed: string | undefined,
): Promise<PendingSignIn | undefined> {
  const value = await sealer.open('sign-in', sealed);
  if (typeof value !== 'object' || value === null) return undefined;
  const { provider, state, nonce, codeVerifier, returnTo, createdAt } = value as Record<
    string,
    unknown
  >;
  if (provider !== 'pro' && provider !== 'patient') return undefined;
  if (typeof createdAt !== 'number') return undefined;
  return {
    provider,
    state: str(state),
    nonce: str(nonce),
    codeVerifier: str(codeVerifier),
    returnTo: returnPathOf(returnTo) ?? '/',
    createdAt,
  };
}

function providerOf(value: unknown): ProviderId {
  if (value === 'pro' || value === 'patient') return value;
  throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'No such identity provider');
}

export function signInRoutes(deps: SignInDeps): ConsoleRoute[] {
  const open = async (
    req: Request,
    res: Response,
    signedIn: { user: SessionUser; grant: AccessGrant; renewal?: Renewal },
  ) => {
    const { user, grant, renewal } = signedIn;
    const session = deps.sessions.create(user, grant, renewal);
    await saveSession(req, res, deps, session).catch((error: unknown) => {
      if (!isFhirError(error)) throw error;
      throw fhirError(
        'DMP-CONSOLE-SIGN-IN-FAILED',
        'The identity provider’s tokens are too large for the console’s session cookie',
      );
    });
    deps.logger.info({ kind: user.kind, via: user.via }, 'console sign-in');
    return session;
  };
  return [
    {
      method: 'GET',
      path: '/api/sign-in/options',
      access: 'public',
      handlers: [
        (_req, res) => {
          res.json({
            devIssuer: deps.devIssuer !== undefined,
            providers: deps.oidc?.providerIds() ?? [],
          });
        },
      ],
    },
    {
      method: 'POST',
      path: '/api/sign-in/dev',
      access: 'public+origin',
      handlers: [
        express.json({ limit: '10kb', strict: true, type: () => true }),
        async (req, res) => {
          if (!deps.devIssuer) {
            throw fhirError(
              'DMP-HTTP-ROUTE-NOT-FOUND',
              'Development sign-in is off (AUTH_DEV_ISSUER=false)',
            );
          }
          const signedIn = await devSignIn(deps.devIssuer, parseDevSignIn(req.body));
          const session = await open(req, res, signedIn);
          res.status(201).json(sessionView(session.user, session.csrfToken));
        },
      ],
    },
    {
      method: 'GET',
      path: '/auth/oidc/:provider/login',
      access: 'public',
      handlers: [
        async (req, res) => {
          const provider = providerOf(req.params.provider);
          if (!deps.oidc?.providerIds().includes(provider)) {
            throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'This identity provider is not configured');
          }
          const returnTo = returnPathOf(req.query.return) ?? '/';
          const { url, pending } = await deps.oidc.start(provider, returnTo);
          setSignInCookie(res, deps.cookies, await deps.sessions.sealer.seal('sign-in', pending));
          res.redirect(303, url.href);
        },
      ],
    },
    {
      method: 'GET',
      path: '/auth/oidc/:provider/callback',
      access: 'public',
      handlers: [
        async (req, res) => {
          const provider = providerOf(req.params.provider);
          // Single use: the sign-in cookie goes whatever happens next.
          const pending = await pendingOf(
            deps.sessions.sealer,
            readSealedCookie(req, signInCookieName(deps.cookies)),
          );
          clearCookie(res, deps.cookies, signInCookieName(deps.cookies));
          try {
            if (!deps.oidc) throw fhirError('DMP-CONSOLE-SIGN-IN-FAILED', 'No identity provider');
            const callbackUrl = new URL(deps.oidc.redirectUri(provider));
            callbackUrl.search = new URL(req.originalUrl, 'http://callback').search;
            await open(req, res, await deps.oidc.finish(provider, callbackUrl, pending));
            res.redirect(303, pending?.returnTo ?? '/');
          } catch (error) {
            if (!isFhirError(error)) throw error;
            deps.logger.warn({ err: error.cause ?? error, provider }, 'console sign-in failed');
            res.redirect(303, `/#/connexion?erreur=${encodeURIComponent(error.message)}`);
          }
        },
      ],
    },
    {
      method: 'GET',
      path: '/api/session',
      access: 'session',
      handlers: [
        (_req, res) => {
          const session = sessionOf(res);
          res.set('Cache-Control', 'no-store').json(sessionView(session.user, session.csrfToken));
        },
      ],
    },
    {
      method: 'POST',
      path: '/api/sign-out',
      access: 'session+csrf',
      handlers: [
        (req, res) => {
          // Stateless: this clears the browser's cookie; a copy taken before stays usable until
          // its idle or absolute expiry (README, Console).
          clearSessionCookie(res, deps.cookies);
          res.status(204).end();
        },
      ],
    },
  ];
}
