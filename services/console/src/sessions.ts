import { randomBytes } from 'node:crypto';
import type { DevSignInRequest } from './dev-sign-in';
import type { CookieSealer } from './sealing';

/** Who is signed in, as the single-page app sees it (never the token). */
export interface SessionUser {
  kind: 'auditor' | 'patient' | 'practitioner';
  /** Display name. */
  name: string;
  /** Token subject: idNat_PS, INS or the auditor's id. */
  subject: string;
  /** The patient's INS (patients). */
  ins?: string;
  /** How the user signed in: the dev issuer, or an OpenID Connect provider id. */
  via: 'dev' | 'pro' | 'patient';
}

/** An access token and when it expires (epoch seconds). */
export interface AccessGrant {
  accessToken: string;
  expiresAt: number;
}

/**
 * What renews the access token when it is about to expire: the dev issuer re-mints the same
 * actor's token; an OpenID Connect provider takes the refresh token (when it gave one).
 */
export type Renewal =
  | { via: 'dev'; request: DevSignInRequest }
  | { via: 'oidc'; provider: 'pro' | 'patient'; refreshToken: string };

/** A new grant, and the renewal to use next time (a provider may rotate its refresh token). */
export type Renew = (renewal: Renewal) => Promise<{ grant: AccessGrant; renewal: Renewal }>;

export interface Session {
  user: SessionUser;
  csrfToken: string;
  grant: AccessGrant;
  renewal?: Renewal;
  /** When the user signed in (epoch ms): the absolute lifetime counts from it. */
  issuedAt: number;
  /** Last use (epoch ms) as last sealed: the idle timeout counts from it. */
  lastUsed: number;
}

/** The sealed form: short names, a version to refuse a cookie of another layout. */
interface SealedSession {
  v: 1;
  u: SessionUser;
  c: string;
  t: string;
  e: number;
  r?: Renewal;
  i: number;
  l: number;
}

export interface SessionCookieOptions {
  sealer: CookieSealer;
  /** A session unused this long is refused. */
  idleMs: number;
  /** A session older than this is refused, used or not. */
  absoluteMs: number;
  now?: () => number;
}

const randomToken = () => randomBytes(32).toString('base64url');
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Stateless sessions: the whole session (user, access token, what renews it, CSRF token, times)
 * is sealed into the browser's HttpOnly cookie, so any console instance serves any request and a
 * restart signs nobody out. The browser cannot read the token (encrypted) nor change anything
 * (authenticated). The idle timeout rolls: a used session is sealed again with a new last use, at
 * most every `resealMs` (a tenth of the idle timeout, at most a minute).
 *
 * What a stateless session cannot do: forget a copied cookie. Signing out clears the browser's
 * cookie, but a copy taken before stays usable until its idle or absolute expiry (and the token
 * inside until its own `exp`).
 */
export class SessionCookies {
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** A used session is sealed again when its last use is older than this. */
  readonly resealMs: number;
  /** Seals the sessions, and the sign-ins in progress (same keys, another purpose). */
  readonly sealer: CookieSealer;
  private readonly now: () => number;

  constructor(options: SessionCookieOptions) {
    this.sealer = options.sealer;
    this.idleMs = options.idleMs;
    this.absoluteMs = options.absoluteMs;
    this.resealMs = Math.min(60_000, Math.floor(options.idleMs / 10));
    this.now = options.now ?? Date.now;
  }

  /** A new session for a user who just signed in (a fresh CSRF token). */
  create(user: SessionUser, grant: AccessGrant, renewal?: Renewal): Session {
    const now = this.now();
    return {
      user,
      csrfToken: randomToken(),
      grant,
      ...(renewal ? { renewal } : {}),
      issuedAt: now,
      lastUsed: now,
    };
  }

  seal(session: Session): Promise<string> {
    const sealed: SealedSession = {
      v: 1,
      u: session.user,
      c: session.csrfToken,
      t: session.grant.accessToken,
      e: session.grant.expiresAt,
      ...(session.renewal ? { r: session.renewal } : {}),
      i: session.issuedAt,
      l: session.lastUsed,
    };
    return this.sealer.seal('session', sealed);
  }

  /** The live session sealed in `value`, or undefined (does not open, expired, idle too long). */
  async open(value: string | undefined): Promise<Session | undefined> {
    const sealed = await this.sealer.open('session', value);
    if (!isObject(sealed) || sealed.v !== 1) return undefined;
    const { u, c, t, e, r, i, l } = sealed;
    if (!isObject(u) || typeof c !== 'string' || typeof t !== 'string') return undefined;
    if (typeof e !== 'number' || typeof i !== 'number' || typeof l !== 'number') return undefined;
    const now = this.now();
    if (now - i > this.absoluteMs || now - l > this.idleMs) return undefined;
    return {
      user: u as unknown as SessionUser,
      csrfToken: c,
      grant: { accessToken: t, expiresAt: e },
      ...(isObject(r) ? { renewal: r as unknown as Renewal } : {}),
      issuedAt: i,
      lastUsed: l,
    };
  }

  /** Marks the session used now; true when it should be sealed again (its last use is stale). */
  touch(session: Session): boolean {
    const now = this.now();
    if (now - session.lastUsed < this.resealMs) return false;
    session.lastUsed = now;
    return true;
  }
}

/**
 * The session's access token, renewed first when it expires within `marginSeconds` (the session
 * then holds the new grant and must be sealed again: `renewed`). Throws when it expired and
 * cannot be renewed (the caller signs the user out).
 */
export async function currentAccessToken(
  session: Session,
  renew: Renew,
  marginSeconds = 60,
): Promise<{ accessToken: string; renewed: boolean }> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (session.grant.expiresAt - marginSeconds > nowSeconds) {
    return { accessToken: session.grant.accessToken, renewed: false };
  }
  if (session.renewal) {
    try {
      const next = await renew(session.renewal);
      session.grant = next.grant;
      session.renewal = next.renewal;
      return { accessToken: next.grant.accessToken, renewed: true };
    } catch {
      // fall through: expired and not renewable (the renewer logs why)
    }
  }
  if (session.grant.expiresAt > nowSeconds) {
    return { accessToken: session.grant.accessToken, renewed: false };
  }
  throw new Error('the session’s access token expired');
}
