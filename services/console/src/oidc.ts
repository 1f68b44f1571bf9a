import * as client from 'openid-client';
import { decodeJwt, type JWTPayload } from 'jose';
import { FhirError } from '@dmp/errors';
import type { AccessGrant, Renewal, SessionUser } from './sessions';

/**
 * Production sign-in: OpenID Connect authorization code flow with PKCE (S256), `state` and
 * `nonce`, through openid-client. One provider for professionals and auditors (Pro Santé
 * Connect), one for patients. The access token the provider issues is what the console presents
 * to the services (they trust its issuer through `AUTH_JWKS` / `AUTH_ISSUERS`).
 */
export type ProviderId = 'pro' | 'patient';

export interface OidcProviderSettings {
  id: ProviderId;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: readonly string[];
  acrValues?: string;
}

/**
 * The sign-in in progress, sealed in the browser's sign-in cookie (nothing kept server-side, so
 * the callback may land on any console instance): checked against the callback's `state`.
 */
export interface PendingSignIn {
  provider: ProviderId;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where the browser goes once signed in: a path of the console. */
  returnTo: string;
  /** Epoch ms. */
  createdAt: number;
}

/** How long a sign-in may take (the sign-in cookie's lifetime too). */
export const PENDING_MS = 10 * 60_000;
/** A refresh made here is reused this long by requests that still carry the older cookie. */
const REFRESH_REUSE_MS = 30_000;
const MAX_REFRESHES = 1000;
const KINDS = ['auditor', 'patient', 'practitioner'] as const;
const INS_FORMAT = /^\d{6}[\dAB]\d{8}$/;

const failed = (message: string, cause?: unknown) =>
  new FhirError({ code: 'DMP-CONSOLE-SIGN-IN-FAILED', message }, { cause });

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

interface DmpAccessClaims extends JWTPayload {
  extensions?: {
    fr_dmp?: { actor_kind?: unknown };
    ihe_iua?: { subject_name?: unknown; person_id?: { value?: unknown } };
  };
}

function accessClaimsOf(accessToken: string): DmpAccessClaims {
  try {
    return decodeJwt<DmpAccessClaims>(accessToken);
  } catch {
    return {}; // an opaque access token: the services will tell
  }
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/**
 * The signed-in user from the verified ID token and the access token's DMP claims (read to pick
 * the views; the services verify the token themselves on every call).
 */
export function userOf(
  provider: ProviderId,
  idClaims: Record<string, unknown>,
  accessToken: string,
): SessionUser {
  const access = accessClaimsOf(accessToken);
  const claimedKind = KINDS.find((kind) => kind === access.extensions?.fr_dmp?.actor_kind);
  const kind = provider === 'patient' ? 'patient' : (claimedKind ?? 'practitioner');
  if (kind === 'patient' && claimedKind !== undefined && claimedKind !== 'patient') {
    throw failed('The patient identity provider issued a token for another kind of actor');
  }
  const subject = str(access.sub) ?? str(idClaims.sub) ?? '';
  const given = [str(idClaims.given_name), str(idClaims.family_name)].filter(Boolean).join(' ');
  const name =
    str(idClaims.name) ?? (given || undefined) ?? str(access.extensions?.ihe_iua?.subject_name);
  const user: SessionUser = { kind, name: name ?? subject, subject, via: provider };
  if (kind === 'patient') {
    const ins = str(access.extensions?.ihe_iua?.person_id?.value) ?? subject;
    if (!INS_FORMAT.test(ins)) throw failed('The patient identity provider gave no INS');
    user.ins = ins;
  }
  return user;
}

/** A path of the console to come back to after signing in (no other origin), or undefined. */
export function returnPathOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  return /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*$/.test(value) ? value : undefined;
}

export interface GrantWithRenewal {
  grant: AccessGrant;
  /** Present when the provider gave a refresh token. */
  renewal?: Extract<Renewal, { via: 'oidc' }>;
}

export class OidcSignIn {
  private readonly configurations = new Map<ProviderId, Promise<client.Configuration>>();
  /**
   * Refreshes made by this process, by refresh token, for a short while: requests that arrive
   * together with the same cookie share one refresh (a provider that rotates refresh tokens
   * would refuse the second use). An optimization only: nothing depends on it.
   */
  private readonly refreshes = new Map<string, { at: number; result: Promise<GrantWithRenewal> }>();

  constructor(
    private readonly providers: readonly OidcProviderSettings[],
    /** The console's public origin, for the redirect URIs. */
    private readonly publicUrl: string,
  ) {}

  providerIds(): ProviderId[] {
    return this.providers.map((p) => p.id);
  }

  redirectUri(provider: ProviderId): string {
    return `${this.publicUrl}/auth/oidc/${provider}/callback`;
  }

  /**
   * The authorization URL to send the browser to, and the sign-in in progress, for the caller to
   * seal in the browser's sign-in cookie.
   */
  async start(provider: ProviderId, returnTo = '/'): Promise<{ url: URL; pending: PendingSignIn }> {
    const settings = this.settingsOf(provider);
    const configuration = await this.configurationOf(settings);
    const pending: PendingSignIn = {
      provider,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      returnTo,
      createdAt: Date.now(),
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(provider),
      scope: settings.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(settings.acrValues ? { acr_values: settings.acrValues } : {}),
    });
    return { url, pending };
  }

  /**
   * Completes the flow at the callback: `pending` is what the browser's sign-in cookie holds
   * (binds the callback to the browser that started it; the caller clears the cookie, and the
   * provider takes an authorization code once).
   */
  async finish(
    provider: ProviderId,
    callbackUrl: URL,
    pending: PendingSignIn | undefined,
  ): Promise<{ user: SessionUser } & GrantWithRenewal> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    if (!pending || pending.provider !== provider || pending.state !== state) {
      throw failed('Unknown, expired or replayed sign-in: start again');
    }
    if (Date.now() - pending.createdAt > PENDING_MS) throw failed('The sign-in took too long');
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError) throw failed(`The identity provider refused: ${providerError}`);
    const configuration = await this.configurationOf(this.settingsOf(provider));
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw failed('The identity provider’s answer could not be verified', error);
    }
    const idClaims = (tokens.claims() ?? {}) as Record<string, unknown>;
    const user = userOf(provider, idClaims, tokens.access_token);
    return { user, ...grantOf(provider, tokens) };
  }

  /** A new access token for a refresh token (and the refresh token to use next time). */
  refresh(provider: ProviderId, refreshToken: string): Promise<GrantWithRenewal> {
    const now = Date.now();
    for (const [token, entry] of this.refreshes) {
      if (now - entry.at > REFRESH_REUSE_MS || this.refreshes.size >= MAX_REFRESHES) {
        this.refreshes.delete(token);
      }
    }
    const key = `${provider} ${refreshToken}`;
    const known = this.refreshes.get(key);
    if (known) return known.result;
    const result = (async () => {
      const configuration = await this.configurationOf(this.settingsOf(provider));
      const tokens = await client.refreshTokenGrant(configuration, refreshToken);
      const next = grantOf(provider, tokens);
      // No new refresh token: the provider keeps the one we have.
      return {
        grant: next.grant,
        renewal: next.renewal ?? { via: 'oidc', provider, refreshToken },
      };
    })();
    this.refreshes.set(key, { at: now, result });
    result.catch(() => this.refreshes.delete(key));
    return result;
  }

  private settingsOf(provider: ProviderId): OidcProviderSettings {
    const settings = this.providers.find((p) => p.id === provider);
    if (!settings) throw failed(`No ${provider} identity provider is configured`);
    return settings;
  }

  private configurationOf(settings: OidcProviderSettings): Promise<client.Configuration> {
    let configuration = this.configurations.get(settings.id);
    if (!configuration) {
      const issuer = new URL(settings.issuer);
      configuration = client
        .discovery(
          issuer,
          settings.clientId,
          undefined,
          settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
          // Plain http only for an issuer on this machine (development, tests).
          { execute: isLoopback(issuer) ? [client.allowInsecureRequests] : [], timeout: 10 },
        )
        .catch((error: unknown) => {
          this.configurations.delete(settings.id); // try discovery again next time
          throw failed('The identity provider cannot be reached', error);
        });
      this.configurations.set(settings.id, configuration);
    }
    return configuration;
  }
}

type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

function grantOf(provider: ProviderId, tokens: Tokens): GrantWithRenewal {
  const expiresIn = tokens.expiresIn() ?? 300;
  const grant = {
    accessToken: tokens.access_token,
    expiresAt: Math.floor(Date.now() / 1000) + expiresIn,
  };
  const refreshToken = tokens.refresh_token;
  return refreshToken ? { grant, renewal: { via: 'oidc', provider, refreshToken } } : { grant };
}
