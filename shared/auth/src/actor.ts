import type { Coding, Identifier } from 'fhir/r4';

/** Who is calling, as established from a verified access token. Built only by `@dmp/auth`. */
export type ActorKind = 'practitioner' | 'patient' | 'system' | 'auditor';

/** DMP access mode (TRE_R248, system 1.2.250.1.213.1.1.4.248). */
export type AccessMode = 'normal' | 'bris_de_glace' | 'centre_15';

/** Basis the professional declares for accessing the DMP (care team presumption or consent). */
export type Attestation = 'care_team' | 'consent' | 'regulation';

export interface Actor {
  kind: ActorKind;
  /** Token `sub`: idNat_PS for a professional, INS for a patient, client id for a system. */
  id: string;
  /** `ihe_iua.subject_name`. */
  name?: string;
  /** Token `client_id` (the calling software). */
  clientId?: string;
  /** `ihe_iua.subject_organization_id`. */
  organizationId?: string;
  /** `ihe_iua.subject_organization`. */
  organizationName?: string;
  /** `ihe_iua.subject_role`: profession (G15) and specialty codings. */
  roles: Coding[];
  /** The first G15 profession code of `roles`, when any (e.g. `10` = médecin). */
  profession?: string;
  /** `ihe_iua.purpose_of_use`. */
  purposeOfUse: Coding[];
  accessMode: AccessMode;
  /** Break-glass justification (`fr_dmp.access_reason`). */
  accessReason?: string;
  attestation?: Attestation;
  /** `ihe_iua.person_id`: the patient the token is bound to (INS), if any. */
  patient?: Identifier;
  /** Granted scopes (SMART v1/v2 and IUA transaction scopes), as in the token. */
  scopes: string[];
  /** Token id (`jti`), for audit and replay checks. */
  tokenId?: string;
  issuer: string;
  /** `ihe_iua.national_provider_identifier` (idNat_PS), when the token carries it. */
  nationalProviderId?: string;
  /** Token `exp` (epoch seconds): bounds break-glass grants and replay-cache entries. */
  expiresAt?: number;
}
