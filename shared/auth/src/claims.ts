import type { Coding, Identifier } from 'fhir/r4';
import type { AccessMode, Actor, ActorKind, Attestation } from './actor';
import { tokenInvalidError } from './auth-errors';
import {
  type ClaimObject,
  readCodings,
  readOptionalEnum,
  readOptionalObject,
  readOptionalString,
  readPersonId,
  readRequiredString,
} from './claim-readers';
import { ACCESS_MODE_SYSTEM, ACT_REASON_SYSTEM, G15_PROFESSION_SYSTEM } from './constants';

/**
 * Token claims → Actor. Layout (SPEC F.1 + F.4):
 *
 * - standard: `iss`, `sub`, `aud`, `exp`, `iat`, `jti`, `client_id`, `scope` (space separated);
 * - `extensions.ihe_iua`: IHE IUA subject attributes (see {@link IheIuaClaims});
 * - `extensions.fr_dmp`: our DMP claims (see {@link FrDmpClaims}). This nested location is the
 *   canonical one (what our issuers mint); a top-level `fr_dmp` is read as an alias, and a token
 *   carrying both is rejected rather than merged.
 * - a missing `scope` means no scopes (nothing is granted); a non-string `scope` is rejected.
 *
 * Rules enforced here (each failure is a 401 DMP-AUTH-TOKEN-INVALID, as IUA asks):
 * - `fr_dmp.actor_kind` is required: we never guess whether a caller is a patient or a professional;
 * - the access mode comes from `fr_dmp.access_mode`, else from a TRE_R248 coding in
 *   `purpose_of_use`, else `BTG` in `purpose_of_use` means `bris_de_glace`; else `normal`.
 *   Two sources that disagree, or `BTG` with a `normal` mode, are rejected;
 * - `bris_de_glace` and `centre_15` are for `practitioner` actors only (no system, patient or
 *   auditor tokens: SPEC C.2.6, F.5.4), and `bris_de_glace` needs a non-blank `access_reason`;
 * - a `patient` actor, or any `patient/…` scope, needs `ihe_iua.person_id`.
 */
export interface IheIuaClaims {
  subject_name?: string;
  subject_organization?: string;
  /** idNat_Struct (`urn:oid:1.2.250.1.71.4.2.2`) or FINESS. */
  subject_organization_id?: string;
  /** G15 profession coding (system {@link G15_PROFESSION_SYSTEM}) and specialty codings. */
  subject_role?: Coding[];
  /** v3-ActReason (TREAT, ETREAT, BTG) and TRE_R248 codings. */
  purpose_of_use?: Coding[];
  /** Patient INS: `{system, value}`, `system|value` or CX (see `readPersonId`). */
  person_id?: { system: string; value: string } | string;
  /** idNat_PS of the professional. */
  national_provider_identifier?: string;
  home_community_id?: string;
}

export interface FrDmpClaims {
  actor_kind: ActorKind;
  access_mode?: AccessMode;
  /** Break-glass justification (VIHF `Mode_Acces_Raison`). */
  access_reason?: string;
  /** `explicit_consent` (SPEC F.4 wording) is accepted as an alias of `consent`. */
  attestation?: Attestation | 'explicit_consent';
}

/** The payload our issuers mint and our verifiers read. */
export interface DmpTokenClaims {
  iss?: string;
  sub: string;
  aud?: string | string[];
  iat?: number;
  exp?: number;
  jti?: string;
  client_id?: string;
  scope: string;
  extensions: { ihe_iua?: IheIuaClaims; fr_dmp: FrDmpClaims };
}

const ACTOR_KINDS: readonly ActorKind[] = ['practitioner', 'patient', 'system', 'auditor'];
const ACCESS_MODES: readonly AccessMode[] = ['normal', 'bris_de_glace', 'centre_15'];
const ATTESTATIONS = ['care_team', 'consent', 'regulation', 'explicit_consent'] as const;

function modeFromPurpose(purposes: Coding[]): AccessMode | undefined {
  const r248 = purposes.find((c) => c.system === ACCESS_MODE_SYSTEM)?.code;
  if (r248 !== undefined) {
    const mode = ACCESS_MODES.find((m) => m === r248);
    if (!mode)
      throw tokenInvalidError(
        'Claim extensions.ihe_iua.purpose_of_use has an unknown access mode.',
      );
    return mode;
  }
  return hasBreakGlassPurpose(purposes) ? 'bris_de_glace' : undefined;
}

function hasBreakGlassPurpose(purposes: Coding[]): boolean {
  return purposes.some((c) => c.system === ACT_REASON_SYSTEM && c.code === 'BTG');
}

function resolveAccessMode(declared: AccessMode | undefined, purposes: Coding[]): AccessMode {
  const derived = modeFromPurpose(purposes);
  if (declared !== undefined && derived !== undefined && declared !== derived) {
    throw tokenInvalidError(
      'Claims extensions.fr_dmp.access_mode and extensions.ihe_iua.purpose_of_use disagree.',
    );
  }
  const mode = declared ?? derived ?? 'normal';
  if (mode === 'normal' && hasBreakGlassPurpose(purposes)) {
    throw tokenInvalidError(
      'Claim extensions.ihe_iua.purpose_of_use says BTG but the access mode is normal.',
    );
  }
  return mode;
}

function checkAccessPolicy(
  kind: ActorKind,
  mode: AccessMode,
  reason: string | undefined,
  patient: Identifier | undefined,
  scopes: string[],
): void {
  if (mode !== 'normal' && kind !== 'practitioner') {
    throw tokenInvalidError(`Access mode ${mode} is only allowed for practitioner tokens.`);
  }
  if (mode === 'bris_de_glace' && (reason === undefined || reason.trim() === '')) {
    throw tokenInvalidError('Break-glass access needs claim extensions.fr_dmp.access_reason.');
  }
  if (!patient && (kind === 'patient' || scopes.some((s) => s.startsWith('patient/')))) {
    throw tokenInvalidError('Claim extensions.ihe_iua.person_id is required for patient context.');
  }
}

function readScopes(payload: ClaimObject): string[] {
  const scope = payload['scope'];
  if (scope === undefined) return [];
  if (typeof scope !== 'string') throw tokenInvalidError('Claim scope must be a string.');
  return scope.split(/\s+/).filter((s) => s !== '');
}

/**
 * Builds the Actor from a payload whose signature, issuer, audience and times were already
 * checked (see `createTokenVerifier`). Throws 401 DMP-AUTH-TOKEN-INVALID on any shape or rule
 * failure.
 */
export function actorFromClaims(payload: ClaimObject): Actor {
  const issuer = readRequiredString(payload, 'iss', 'iss');
  const id = readRequiredString(payload, 'sub', 'sub');
  const clientId = readOptionalString(payload, 'client_id', 'client_id');
  const tokenId = readOptionalString(payload, 'jti', 'jti');
  const scopes = readScopes(payload);
  const exp = payload['exp'];

  const extensions = readOptionalObject(payload, 'extensions', 'extensions') ?? {};
  const iua = readOptionalObject(extensions, 'ihe_iua', 'extensions.ihe_iua') ?? {};
  const nestedDmp = readOptionalObject(extensions, 'fr_dmp', 'extensions.fr_dmp');
  const topDmp = readOptionalObject(payload, 'fr_dmp', 'fr_dmp');
  if (nestedDmp && topDmp) throw tokenInvalidError('Claims fr_dmp and extensions.fr_dmp conflict.');
  const dmp = nestedDmp ?? topDmp;
  if (!dmp) throw tokenInvalidError('Claim extensions.fr_dmp is required.');

  const p = 'extensions.ihe_iua.';
  const roles = readCodings(iua, 'subject_role', `${p}subject_role`);
  const purposeOfUse = readCodings(iua, 'purpose_of_use', `${p}purpose_of_use`);
  const patient = readPersonId(iua, 'person_id', `${p}person_id`);

  const d = 'extensions.fr_dmp.';
  const kind = readOptionalEnum(dmp, 'actor_kind', `${d}actor_kind`, ACTOR_KINDS);
  if (!kind) throw tokenInvalidError(`Claim ${d}actor_kind is required.`);
  const declaredMode = readOptionalEnum(dmp, 'access_mode', `${d}access_mode`, ACCESS_MODES);
  const accessReason = readOptionalString(dmp, 'access_reason', `${d}access_reason`);
  const attested = readOptionalEnum(dmp, 'attestation', `${d}attestation`, ATTESTATIONS);

  const accessMode = resolveAccessMode(declaredMode, purposeOfUse);
  checkAccessPolicy(kind, accessMode, accessReason, patient, scopes);

  return {
    kind,
    id,
    name: readOptionalString(iua, 'subject_name', `${p}subject_name`),
    clientId,
    organizationId: readOptionalString(
      iua,
      'subject_organization_id',
      `${p}subject_organization_id`,
    ),
    organizationName: readOptionalString(iua, 'subject_organization', `${p}subject_organization`),
    nationalProviderId: readOptionalString(
      iua,
      'national_provider_identifier',
      `${p}national_provider_identifier`,
    ),
    roles,
    profession: roles.find((c) => c.system === G15_PROFESSION_SYSTEM)?.code,
    purposeOfUse,
    accessMode,
    accessReason,
    attestation: attested === 'explicit_consent' ? 'consent' : attested,
    patient,
    scopes,
    tokenId,
    issuer,
    expiresAt: typeof exp === 'number' ? exp : undefined,
  };
}
