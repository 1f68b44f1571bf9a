import type { Request, Response } from 'express';

/** Cookie names and attributes: HttpOnly always, Secure (and `__Host-`) when served over https. */
export interface CookiePolicy {
  secure: boolean;
}

export function sessionCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-dmp_console_session' : 'dmp_console_session';
}

export function signInCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-dmp_console_sign_in' : 'dmp_console_sign_in';
}

/** The value of one cookie of the request (no library: one header, a few cookies). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * The session cookie: SameSite=Strict (never sent by another site's page), HttpOnly (no script
 * reads it), Secure over https, no Max-Age (gone with the browser; the server forgets it sooner).
 */
export function setSessionCookie(res: Response, policy: CookiePolicy, value: string): void {
  res.cookie(sessionCookieName(policy), value, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'strict',
    path: '/',
  });
}

/**
 * The cookie binding an OpenID Connect callback to the browser that started the sign-in. Lax,
 * because the identity provider sends the browser back with a cross-site top-level GET.
 */
export function setSignInCookie(res: Response, policy: CookiePolicy, state: string): void {
  res.cookie(signInCookieName(policy), state, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'lax',
    path: '/',
    maxAge: 10 * 60_000,
  });
}

export function clearCookie(res: Response, policy: CookiePolicy, name: string): void {
  res.clearCookie(name, { httpOnly: true, secure: policy.secure, path: '/' });
}
