import { randomBytes } from 'node:crypto';

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

/** A fresh access token and when it expires (epoch seconds). */
export interface AccessGrant {
  accessToken: string;
  expiresAt: number;
  /** Gets a new grant when this one is about to expire (dev re-mint, OIDC refresh). */
  renew?: () => Promise<AccessGrant>;
}

export interface Session {
  id: string;
  csrfToken: string;
  user: SessionUser;
  grant: AccessGrant;
  lastUsed: number;
}

const randomId = () => randomBytes(32).toString('base64url');

/**
 * Server-side sessions: the browser holds only an opaque random id (in an HttpOnly cookie); the
 * access token never leaves the server. In memory, bounded, forgotten after `idleMs` unused.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly idleMs: number,
    private readonly maxSessions = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(user: SessionUser, grant: AccessGrant): Session {
    this.sweep();
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const session: Session = {
      id: randomId(),
      csrfToken: randomId(),
      user,
      grant,
      lastUsed: this.now(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id (touched), or undefined. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastUsed > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastUsed = this.now();
    // Most recently used last: eviction takes the least recently used first.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const limit = this.now() - this.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastUsed < limit) this.sessions.delete(id);
    }
  }
}

/**
 * The session's access token, renewed first when it expires within `marginSeconds`. Throws when
 * it expired and cannot be renewed (the caller signs the user out).
 */
export async function currentAccessToken(session: Session, marginSeconds = 60): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (session.grant.expiresAt - marginSeconds > nowSeconds) return session.grant.accessToken;
  const renew = session.grant.renew;
  if (renew) {
    try {
      const next = await renew();
      session.grant = { ...next, renew: next.renew ?? renew };
      return session.grant.accessToken;
    } catch {
      // fall through: expired and not renewable
    }
  }
  if (session.grant.expiresAt > nowSeconds) return session.grant.accessToken;
  throw new Error('the session’s access token expired');
}
