import express, { type Response } from 'express';
import type { DevIssuer } from '@dmp/auth';
import { fhirError, isFhirError } from '@dmp/errors';
import type { Logger } from '@dmp/http';
import {
  clearCookie,
  readCookie,
  sessionCookieName,
  setSessionCookie,
  setSignInCookie,
  signInCookieName,
  type CookiePolicy,
} from '../cookies';
import { devSignIn, parseDevSignIn } from '../dev-sign-in';
import type { OidcSignIn, ProviderId } from '../oidc';
import type { AccessGrant, SessionStore, SessionUser } from '../sessions';
import { sessionOf } from './guards';
import type { ConsoleRoute } from './route-table';

export interface SignInDeps {
  sessions: SessionStore;
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

function providerOf(value: unknown): ProviderId {
  if (value === 'pro' || value === 'patient') return value;
  throw fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'No such identity provider');
}

export function signInRoutes(deps: SignInDeps): ConsoleRoute[] {
  const open = (res: Response, user: SessionUser, grant: AccessGrant) => {
    const session = deps.sessions.create(user, grant);
    setSessionCookie(res, deps.cookies, session.id);
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
          const { user, grant } = await devSignIn(deps.devIssuer, parseDevSignIn(req.body));
          const session = open(res, user, grant);
          res.status(201).json(sessionView(user, session.csrfToken));
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
          const { url, state } = await deps.oidc.start(provider);
          setSignInCookie(res, deps.cookies, state);
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
          const bound = readCookie(req, signInCookieName(deps.cookies));
          clearCookie(res, deps.cookies, signInCookieName(deps.cookies));
          try {
            if (!deps.oidc) throw fhirError('DMP-CONSOLE-SIGN-IN-FAILED', 'No identity provider');
            const callbackUrl = new URL(deps.oidc.redirectUri(provider));
            callbackUrl.search = new URL(req.originalUrl, 'http://callback').search;
            const { user, grant } = await deps.oidc.finish(provider, callbackUrl, bound);
            open(res, user, grant);
            res.redirect(303, '/');
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
          deps.sessions.destroy(readCookie(req, sessionCookieName(deps.cookies)));
          clearCookie(res, deps.cookies, sessionCookieName(deps.cookies));
          res.status(204).end();
        },
      ],
    },
  ];
}
