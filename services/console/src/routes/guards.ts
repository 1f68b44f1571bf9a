import type { Request, RequestHandler, Response } from 'express';
import { fhirError } from '@dmp/errors';
import { timingSafeEqual } from 'node:crypto';
import {
  clearSessionCookie,
  readSessionCookie,
  setSessionCookie,
  type CookiePolicy,
} from '../cookies';
import type { Session, SessionCookies } from '../sessions';

export interface ConsoleLocals {
  requestId: string;
  session?: Session;
}

export function localsOf(res: Response): ConsoleLocals {
  return res.locals as ConsoleLocals;
}

export function sessionOf(res: Response): Session {
  const session = localsOf(res).session;
  if (!session) throw fhirError('DMP-CONSOLE-SIGN-IN-REQUIRED');
  return session;
}

/**
 * Seals the session into the response's cookie(s), and keeps that response out of every cache
 * (it carries the user's credentials). A session too large for them (tokens grown at a renewal)
 * is signed out.
 */
export async function saveSession(
  req: Request,
  res: Response,
  deps: { sessions: SessionCookies; cookies: CookiePolicy },
  session: Session,
): Promise<void> {
  res.set('Cache-Control', 'no-store');
  if (!setSessionCookie(req, res, deps.cookies, await deps.sessions.seal(session))) {
    clearSessionCookie(res, deps.cookies);
    throw fhirError('DMP-CONSOLE-SIGN-IN-REQUIRED', 'The session grew too large: sign in again');
  }
}

/**
 * A signed-in user, from the sealed session cookie (any instance opens it); 401 for a missing,
 * altered, foreign (another key), idle or too old one. A used session is sealed again (rolling
 * idle timeout).
 */
export function requireSession(sessions: SessionCookies, policy: CookiePolicy): RequestHandler {
  return async (req, res, next) => {
    const session = await sessions.open(readSessionCookie(req, policy));
    if (!session) throw fhirError('DMP-CONSOLE-SIGN-IN-REQUIRED');
    if (sessions.touch(session))
      await saveSession(req, res, { sessions, cookies: policy }, session);
    localsOf(res).session = session;
    next();
  };
}

/**
 * Same-origin check of a state-changing request: the `Origin` a browser sends must be the
 * console's own (its public URL when set, else the Host it was reached at). A caller that sends
 * no Origin is not a browser page, so no cross-site forgery is possible through it.
 */
export function requireSameOrigin(publicUrl: string | undefined): RequestHandler {
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== expectedOrigin(req, publicUrl)) {
      throw fhirError('DMP-CONSOLE-CSRF-REJECTED', 'The request comes from another origin');
    }
    next();
  };
}

function expectedOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  return `${req.protocol}://${req.headers.host ?? ''}`;
}

/** The session's CSRF token in `X-CSRF-Token` (synchronizer token pattern). */
export const requireCsrfToken: RequestHandler = (req, res, next) => {
  const session = sessionOf(res);
  const given = Buffer.from(String(req.headers['x-csrf-token'] ?? ''));
  const expected = Buffer.from(session.csrfToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw fhirError('DMP-CONSOLE-CSRF-REJECTED', 'The X-CSRF-Token header is missing or wrong');
  }
  next();
};
