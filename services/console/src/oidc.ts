import * as client from 'openid-client';
import { decodeJwt, type JWTPayload } from 'jose';
import { FhirError } from '@dmp/errors';
import type { AccessGrant, SessionUser } from './sessions';

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

/** What the browser must bring back to the callback: kept server-side, keyed by `state`. */
export interface PendingSignIn {
  provider: ProviderId;
  state: string;
  nonce: string;
  codeVerifier: string;
  createdAt: number;
}

const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
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

export class OidcSignIn {
  private readonly configurations = new Map<ProviderId, Promise<client.Configuration>>();
  private readonly pending = new Map<string, PendingSignIn>();

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

  /** The authorization URL to send the browser to, and the state that identifies the attempt. */
  async start(provider: ProviderId): Promise<{ url: URL; state: string }> {
    const settings = this.settingsOf(provider);
    const configuration = await this.configurationOf(settings);
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      provider,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      createdAt: Date.now(),
    };
    this.remember(pending);
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(provider),
      scope: settings.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(settings.acrValues ? { acr_values: settings.acrValues } : {}),
    });
    return { url, state: pending.state };
  }

  /**
   * Completes the flow at the callback: `boundState` is the state the browser's sign-in cookie
   * holds (binds the callback to the browser that started it); single use.
   */
  async finish(
    provider: ProviderId,
    callbackUrl: URL,
    boundState: string | undefined,
  ): Promise<{ user: SessionUser; grant: AccessGrant }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending || pending.provider !== provider || boundState !== state) {
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
    return { user, grant: grantOf(configuration, tokens) };
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

  private remember(pending: PendingSignIn): void {
    const limit = Date.now() - PENDING_MS;
    for (const [state, entry] of this.pending) {
      if (entry.createdAt < limit || this.pending.size >= MAX_PENDING) this.pending.delete(state);
    }
    this.pending.set(pending.state, pending);
  }
}

type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

function grantOf(configuration: client.Configuration, tokens: Tokens): AccessGrant {
  const expiresIn = tokens.expiresIn() ?? 300;
  const refreshToken = tokens.refresh_token;
  return {
    accessToken: tokens.access_token,
    expiresAt: Math.floor(Date.now() / 1000) + expiresIn,
    ...(refreshToken
      ? {
          renew: async () =>
            grantOf(configuration, await client.refreshTokenGrant(configuration, refreshToken)),
        }
      : {}),
  };
}
