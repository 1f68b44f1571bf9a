import { parseArgs } from 'node:util';
import type { Coding } from 'fhir/r4';
import type { AccessMode, ActorKind, Attestation } from '../actor';
import type { DmpTokenClaims, IheIuaClaims } from '../claims';
import {
  ACCESS_MODE_SYSTEM,
  ACT_REASON_SYSTEM,
  DEFAULT_AUDIENCE,
  G15_PROFESSION_SYSTEM,
  INS_NIR_SYSTEM,
} from '../constants';
import { openDevIssuer } from '../dev-issuer';

/** Bad command-line options: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const TOKEN_CLI_USAGE = `Usage: npm run -s token -- [options]   (prints a signed JWT on stdout)
  --kind practitioner|patient|system|auditor   default practitioner
  --sub <id>            subject (default per kind: idNat_PS, INS, client id)
  --name <text>         ihe_iua.subject_name (default from the subject: "Dr <sub>",
                        "Patient <sub>", "Auditeur <sub>"; none for a system)
  --profession <code>   G15 profession code (default 10 for a practitioner)
  --org <id>            ihe_iua.subject_organization_id
  --patient <INS>       ihe_iua.person_id (INS-NIR); defaults to --sub for a patient
  --mode normal|bris_de_glace|centre_15        default normal
  --reason <text>       fr_dmp.access_reason (break-glass justification)
  --attest care_team|consent|regulation|none
  --scope "<scopes>"    space separated; default user/*.cruds (practitioner), patient/*.rs,
                        system/*.cruds (system), system/AuditEvent.rs (auditor)
  --ttl <seconds>       default 900
  --aud <audience>      default ${DEFAULT_AUDIENCE}
  --help
Keys and JWKS live in $DATA_DIR/dev-issuer (DATA_DIR defaults to ./data).`;

export interface TokenRequest {
  claims: DmpTokenClaims;
  ttlSeconds: number;
}

interface KindDefaults {
  sub: string;
  /** Display name derived from the subject when `--name` is not given (none for software). */
  name?: (sub: string) => string;
  profession?: string;
  org?: string;
  scope: string;
}

const DEV_ORG = '1750000001'; // fictitious idNat_Struct (prefix 1 = FINESS)
const DEFAULTS: Readonly<Record<ActorKind, KindDefaults>> = {
  practitioner: {
    sub: '810000000001',
    name: (sub) => `Dr ${sub}`,
    profession: '10',
    org: DEV_ORG,
    scope: 'user/*.cruds',
  },
  patient: { sub: '255081416802538', name: (sub) => `Patient ${sub}`, scope: 'patient/*.rs' },
  system: { sub: 'dmp-dev-system', org: DEV_ORG, scope: 'system/*.cruds' },
  auditor: {
    sub: 'dmp-dev-auditor',
    name: (sub) => `Auditeur ${sub}`,
    scope: 'system/AuditEvent.rs',
  },
};

const KINDS: readonly ActorKind[] = ['practitioner', 'patient', 'system', 'auditor'];
const MODES: readonly AccessMode[] = ['normal', 'bris_de_glace', 'centre_15'];
const ATTESTATIONS: readonly Attestation[] = ['care_team', 'consent', 'regulation'];
const INS_FORMAT = /^\d{6}[\dAB]\d{8}$/;

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined) return undefined;
  const found = allowed.find((candidate) => candidate === value);
  if (!found) throw new UsageError(`--${option} must be one of ${allowed.join(', ')}`);
  return found;
}

function parseTtl(value: string | undefined): number {
  if (value === undefined) return 900;
  const ttl = Number(value);
  if (!/^\d+$/.test(value) || ttl < 1 || ttl > 86_400) {
    throw new UsageError('--ttl must be a whole number of seconds between 1 and 86400');
  }
  return ttl;
}

function purposeOfUse(kind: ActorKind, mode: AccessMode): Coding[] {
  const r248: Coding = { system: ACCESS_MODE_SYSTEM, code: mode };
  if (mode === 'normal') {
    return kind === 'practitioner' ? [{ system: ACT_REASON_SYSTEM, code: 'TREAT' }, r248] : [];
  }
  const emergency: Coding[] = [{ system: ACT_REASON_SYSTEM, code: 'ETREAT' }];
  if (mode === 'bris_de_glace') emergency.push({ system: ACT_REASON_SYSTEM, code: 'BTG' });
  return [...emergency, r248];
}

function defaultAttestation(kind: ActorKind, mode: AccessMode): Attestation | undefined {
  if (kind !== 'practitioner') return undefined;
  if (mode === 'normal') return 'care_team';
  return mode === 'centre_15' ? 'regulation' : undefined;
}

/** True when argv asks for help (checked before any other validation). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * Pure: command-line options → the claims to sign (without `iss`/`iat`/`exp`, which the issuer
 * sets). The CLI does not enforce access policy, so it can mint tokens the verifier rejects
 * (e.g. break-glass by a system) for negative tests.
 */
export function buildClaimsFromOptions(argv: readonly string[]): TokenRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        kind: { type: 'string' },
        sub: { type: 'string' },
        name: { type: 'string' },
        profession: { type: 'string' },
        org: { type: 'string' },
        patient: { type: 'string' },
        mode: { type: 'string' },
        reason: { type: 'string' },
        attest: { type: 'string' },
        scope: { type: 'string' },
        ttl: { type: 'string' },
        aud: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const kind = oneOf('kind', values.kind, KINDS) ?? 'practitioner';
  const mode = oneOf('mode', values.mode, MODES) ?? 'normal';
  const attestation =
    values.attest === 'none'
      ? undefined
      : (oneOf('attest', values.attest, ATTESTATIONS) ?? defaultAttestation(kind, mode));
  const defaults = DEFAULTS[kind];
  const sub = values.sub ?? defaults.sub;
  const patient = values.patient ?? (kind === 'patient' ? sub : undefined);
  if (patient !== undefined && !INS_FORMAT.test(patient)) {
    throw new UsageError('--patient must be a 15-character INS (matricule + key)');
  }
  const profession = values.profession ?? defaults.profession;
  // Each subject gets its own default name, so that two dev professionals never look alike in a
  // patient's access history.
  const name = values.name ?? defaults.name?.(sub);
  const org = values.org ?? defaults.org;
  const purposes = purposeOfUse(kind, mode);

  const iua: IheIuaClaims = {
    ...(name !== undefined ? { subject_name: name } : {}),
    ...(org !== undefined ? { subject_organization_id: org } : {}),
    ...(profession !== undefined
      ? { subject_role: [{ system: G15_PROFESSION_SYSTEM, code: profession }] }
      : {}),
    ...(purposes.length > 0 ? { purpose_of_use: purposes } : {}),
    ...(patient !== undefined ? { person_id: { system: INS_NIR_SYSTEM, value: patient } } : {}),
    ...(kind === 'practitioner' ? { national_provider_identifier: sub } : {}),
  };
  const claims: DmpTokenClaims = {
    sub,
    aud: values.aud ?? DEFAULT_AUDIENCE,
    client_id: kind === 'system' ? sub : 'dmp-dev-cli',
    scope: (values.scope ?? defaults.scope).trim().split(/\s+/).join(' '),
    extensions: {
      ihe_iua: iua,
      fr_dmp: {
        actor_kind: kind,
        access_mode: mode,
        ...(values.reason !== undefined ? { access_reason: values.reason } : {}),
        ...(attestation !== undefined ? { attestation } : {}),
      },
    },
  };
  return { claims, ttlSeconds: parseTtl(values.ttl) };
}

/** Builds the claims from argv and signs them with the dev issuer kept under `dataDir`. */
export async function mintToken(argv: readonly string[], dataDir: string): Promise<string> {
  const { claims, ttlSeconds } = buildClaimsFromOptions(argv);
  const issuer = await openDevIssuer(dataDir);
  return issuer.sign({ ...claims }, { ttlSeconds });
}
