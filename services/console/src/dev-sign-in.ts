import { buildClaimsFromOptions, UsageError, type DevIssuer } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import type { AccessGrant, Renewal, SessionUser } from './sessions';

/**
 * Development sign-in (`AUTH_DEV_ISSUER=true` only): the user picks an actor and the console has
 * the local dev issuer mint the token the token CLI would (`npm run -s token -- …`), then keeps
 * it in the sealed session with this request, from which any console instance re-mints it when it
 * expires.
 */
export interface DevSignInRequest {
  kind: 'auditor' | 'patient' | 'practitioner';
  /** Patient: INS. */
  ins?: string;
  /** Professional: idNat_PS. */
  professional?: string;
  name?: string;
  /** G15 profession code (default 10, médecin). */
  profession?: string;
  attestation?: 'care_team' | 'consent' | 'none';
  mode?: 'normal' | 'bris_de_glace' | 'centre_15';
  /** Break-glass justification. */
  reason?: string;
}

const TOKEN_SECONDS = 900;
const KINDS = ['auditor', 'patient', 'practitioner'] as const;
const ATTESTATIONS = ['care_team', 'consent', 'none'] as const;
const MODES = ['normal', 'bris_de_glace', 'centre_15'] as const;
const ID = /^[0-9A-Za-z]{1,64}$/;
const SAFE_TEXT = /^[^\p{Cc}]{1,200}$/u;

const invalid = (message: string, expression: string) =>
  fhirError('DMP-CONSOLE-REQUEST-INVALID', message, expression);

function pick<T extends string>(
  value: unknown,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((candidate) => candidate === value);
  if (!found) throw invalid(`${name} must be one of ${allowed.join(', ')}`, name);
  return found;
}

function text(value: unknown, name: string, pattern = SAFE_TEXT): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw invalid(`${name} is not an acceptable value`, name);
  }
  return value;
}

/** Checks the JSON body of `POST /api/sign-in/dev`; throws a 400 naming the bad field. */
export function parseDevSignIn(body: unknown): DevSignInRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object', 'body');
  }
  const input = body as Record<string, unknown>;
  const kind = pick(input.kind, KINDS, 'kind');
  if (!kind) throw invalid('kind is required', 'kind');
  const request: DevSignInRequest = { kind };
  const ins = text(input.ins, 'ins', /^\d{6}[\dAB]\d{8}$/);
  const professional = text(input.professional, 'professional', ID);
  const name = text(input.name, 'name');
  const profession = text(input.profession, 'profession', /^\d{1,4}$/);
  const attestation = pick(input.attestation, ATTESTATIONS, 'attestation');
  const mode = pick(input.mode, MODES, 'mode');
  const reason = text(input.reason, 'reason', /^[^\p{Cc}]{1,500}$/u);
  if (kind === 'patient' && !ins) throw invalid('A patient signs in with an INS', 'ins');
  if (kind === 'practitioner' && !professional) {
    throw invalid('A professional signs in with an idNat_PS', 'professional');
  }
  if (mode === 'bris_de_glace' && !reason) {
    throw invalid('Break-glass access needs a written reason', 'reason');
  }
  return {
    ...request,
    ...(ins ? { ins } : {}),
    ...(professional ? { professional } : {}),
    ...(name ? { name } : {}),
    ...(profession ? { profession } : {}),
    ...(attestation ? { attestation } : {}),
    ...(mode ? { mode } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** The token CLI's options for this actor (the console mints exactly what the CLI would). */
export function tokenOptionsOf(request: DevSignInRequest): string[] {
  const args = ['--kind', request.kind, '--ttl', String(TOKEN_SECONDS)];
  const add = (option: string, value: string | undefined) => {
    if (value !== undefined) args.push(option, value);
  };
  switch (request.kind) {
    case 'patient':
      // A patient changes their own choices and masks documents: write scopes as well.
      add('--sub', request.ins);
      add('--scope', 'patient/*.cruds');
      break;
    case 'practitioner':
      add('--sub', request.professional);
      add('--profession', request.profession ?? '10');
      add('--attest', request.attestation);
      add('--mode', request.mode);
      add('--reason', request.reason);
      break;
    case 'auditor':
      break;
  }
  add('--name', request.name);
  return args;
}

function claimsOf(request: DevSignInRequest) {
  try {
    return buildClaimsFromOptions(tokenOptionsOf(request));
  } catch (error) {
    if (error instanceof UsageError) throw invalid(error.message, 'body');
    throw error;
  }
}

/** Mints this actor's token again (the same claims, a new `iat`, `exp` and `jti`). */
export async function devMint(issuer: DevIssuer, request: DevSignInRequest): Promise<AccessGrant> {
  const { claims, ttlSeconds } = claimsOf(request);
  const issuedAt = Math.floor(Date.now() / 1000);
  const accessToken = await issuer.sign({ ...claims }, { ttlSeconds, issuedAt });
  return { accessToken, expiresAt: issuedAt + ttlSeconds };
}

/** Signs the user in with a dev-issuer token; the renewal re-mints it from the same request. */
export async function devSignIn(
  issuer: DevIssuer,
  request: DevSignInRequest,
): Promise<{ user: SessionUser; grant: AccessGrant; renewal: Renewal }> {
  const { claims } = claimsOf(request);
  const iua = claims.extensions?.ihe_iua;
  const user: SessionUser = {
    kind: request.kind,
    name: iua?.subject_name ?? claims.sub ?? request.kind,
    subject: claims.sub ?? '',
    ...(request.kind === 'patient' && request.ins ? { ins: request.ins } : {}),
    via: 'dev',
  };
  return { user, grant: await devMint(issuer, request), renewal: { via: 'dev', request } };
}
