import type { Request, RequestHandler, Response } from 'express';
import { fhirError } from '@dmp/errors';
import { readCookie, sessionCookieName, type CookiePolicy } from '../cookies';
import type { Session, SessionStore } from '../sessions';

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

/** A signed-in user, from the session cookie; 401 otherwise. */
export function requireSession(sessions: SessionStore, policy: CookiePolicy): RequestHandler {
  return (req, res, next) => {
    const session = sessions.get(readCookie(req, sessionCookieName(policy)));
    if (!session) throw fhirError('DMP-CONSOLE-SIGN-IN-REQUIRED');
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
  if (req.headers['x-csrf-token'] !== session.csrfToken) {
    throw fhirError('DMP-CONSOLE-CSRF-REJECTED', 'The X-CSRF-Token header is missing or wrong');
  }
  next();
};
