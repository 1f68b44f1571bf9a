import type { Request, Response } from 'express';

/** Cookie names and attributes: HttpOnly always, Secure (and `__Host-`) when served over https. */
export interface CookiePolicy {
  secure: boolean;
}

/**
 * Browsers keep a cookie's name and value up to 4096 bytes: a sealed session longer than one
 * piece is split over numbered cookies (`dmp_console_session`, `dmp_console_session_1`, …).
 */
export const COOKIE_PIECE_CHARS = 3800;
/**
 * At most three pieces (11,400 characters): with the rest of a request's headers this stays
 * under Node's 16 KiB header limit. A dev-issuer session takes one, a Pro Santé Connect-sized
 * access + refresh token two.
 */
export const MAX_SESSION_PIECES = 3;

/** A JWE compact serialization with `dir` (empty encrypted key): header..iv.ciphertext.tag. */
const SEALED = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PIECE = /^[A-Za-z0-9_.-]+$/;

export function sessionCookieName(policy: CookiePolicy, piece = 0): string {
  const name = policy.secure ? '__Host-dmp_console_session' : 'dmp_console_session';
  return piece === 0 ? name : `${name}_${piece}`;
}

export function signInCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-dmp_console_sign_in' : 'dmp_console_sign_in';
}

/** The raw value of one cookie of the request (no library: one header, a few cookies). */
function rawCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** The value of one cookie holding a sealed value (one piece), or undefined if malformed. */
export function readSealedCookie(req: Request, name: string): string | undefined {
  const value = rawCookie(req, name);
  return value !== undefined && value.length <= COOKIE_PIECE_CHARS && SEALED.test(value)
    ? value
    : undefined;
}

/** The sealed session, joined from its pieces, or undefined if absent or malformed. */
export function readSessionCookie(req: Request, policy: CookiePolicy): string | undefined {
  let sealed = '';
  for (let piece = 0; piece < MAX_SESSION_PIECES; piece += 1) {
    const value = rawCookie(req, sessionCookieName(policy, piece));
    if (value === undefined) break;
    if (value.length === 0 || value.length > COOKIE_PIECE_CHARS || !PIECE.test(value)) {
      return undefined;
    }
    sealed += value;
  }
  return SEALED.test(sealed) ? sealed : undefined;
}

/**
 * Adds a Set-Cookie header, replacing one for the same name set earlier in this response (a
 * session sealed again after a renewal replaces the rolling re-seal of the same request).
 */
function putCookie(res: Response, name: string, set: () => void): void {
  const previous = res.getHeader('Set-Cookie');
  if (previous !== undefined) {
    const lines = (Array.isArray(previous) ? previous : [String(previous)]).filter(
      (line) => !line.startsWith(`${name}=`),
    );
    if (lines.length > 0) res.setHeader('Set-Cookie', lines);
    else res.removeHeader('Set-Cookie');
  }
  set();
}

/**
 * The session cookie(s): SameSite=Strict (never sent by another site's page), HttpOnly (no
 * script reads it), Secure over https, no Max-Age (gone with the browser; the sealed times expire
 * it sooner). Pieces beyond the new value's are cleared. False (and nothing
 * set) when the sealed session does not fit in `MAX_SESSION_PIECES` cookies.
 */
export function setSessionCookie(
  req: Request,
  res: Response,
  policy: CookiePolicy,
  sealed: string,
): boolean {
  const pieces: string[] = [];
  for (let at = 0; at < sealed.length; at += COOKIE_PIECE_CHARS) {
    pieces.push(sealed.slice(at, at + COOKIE_PIECE_CHARS));
  }
  if (pieces.length > MAX_SESSION_PIECES) return false;
  pieces.forEach((value, piece) => {
    const name = sessionCookieName(policy, piece);
    putCookie(res, name, () =>
      res.cookie(name, value, {
        httpOnly: true,
        secure: policy.secure,
        sameSite: 'strict',
        path: '/',
      }),
    );
  });
  // A request without the first piece may still come from a browser holding the others: the
  // OpenID Connect callback, a cross-site navigation, carries no SameSite=Strict cookie.
  const carriesSession = rawCookie(req, sessionCookieName(policy)) !== undefined;
  for (let piece = pieces.length; piece < MAX_SESSION_PIECES; piece += 1) {
    const name = sessionCookieName(policy, piece);
    if (!carriesSession || rawCookie(req, name) !== undefined) clearCookie(res, policy, name);
  }
  return true;
}

/** Clears every piece of the session cookie. */
export function clearSessionCookie(res: Response, policy: CookiePolicy): void {
  for (let piece = 0; piece < MAX_SESSION_PIECES; piece += 1) {
    clearCookie(res, policy, sessionCookieName(policy, piece));
  }
}

/**
 * The cookie holding the sealed OpenID Connect sign-in in progress (state, nonce, PKCE verifier)
 * that binds the callback to the browser that started it. Lax, because the identity provider
 * sends the browser back with a cross-site top-level GET.
 */
export function setSignInCookie(res: Response, policy: CookiePolicy, sealed: string): void {
  res.cookie(signInCookieName(policy), sealed, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'lax',
    path: '/',
    maxAge: 10 * 60_000,
  });
}

export function clearCookie(res: Response, policy: CookiePolicy, name: string): void {
  putCookie(res, name, () =>
    res.clearCookie(name, { httpOnly: true, secure: policy.secure, path: '/' }),
  );
}
