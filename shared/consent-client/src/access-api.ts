/**
 * Wire format of the access decision API (`POST /access/v1/evaluation`, `/evaluations`), shaped
 * like the OpenID AuthZEN Authorization API 1.0. Self-contained (no imports) so that callers can
 * depend on it alone. Documented in `openapi/consent.openapi.json`.
 */

export type SubjectType = 'practitioner' | 'patient' | 'system' | 'auditor';
export type AccessAction = 'read' | 'search' | 'create' | 'replace' | 'update-metadata';
export type AccessModeName = 'normal' | 'bris_de_glace' | 'centre_15';

/** A patient: an INS string (INS-NIR system assumed) or an identifier. */
export type PatientIdentifier = string | { system?: string; value: string };

export interface EvaluationSubject {
  type: SubjectType;
  /** idNat_PS, patient account/INS, or client id. */
  id: string;
  properties?: {
    /** G15 profession code. */
    profession?: string;
    organization_id?: string;
    /** Patient the caller's token is bound to (`ihe_iua.person_id`). */
    patient?: PatientIdentifier;
    legal_representative?: boolean;
  };
}

export interface EvaluationResource {
  /** `DocumentReference` for a decision on one document; `dmp` for the patient's whole DMP. */
  type: 'DocumentReference' | 'dmp';
  id?: string;
  properties: {
    patient: PatientIdentifier;
    /** `current`, `superseded` or `entered-in-error`. */
    status?: string;
    /** Document class (TRE_A03 code) and type (LOINC / TRE_A05 code). */
    class?: string;
    type?: string;
    security_labels?: string[];
    /** Identifiers (idNat_PS, INS…) of its authors, and of their organizations. */
    authors?: string[];
    author_organizations?: string[];
    /** `<kind>:<id>` of the caller who submitted it. */
    submitter?: string;
    /** ISO 8601. */
    deposit_date?: string;
  };
}

/**
 * What an `update-metadata` changes: `status:<status>`, `label-add:<code>`,
 * `label-remove:<code>`, `archive`, `unarchive`.
 */
export interface EvaluationAction {
  name: AccessAction;
  properties?: { changes?: string[] };
}

export interface EvaluationContext {
  access_mode?: AccessModeName;
  access_reason?: string;
  attestation?: 'care_team' | 'consent' | 'regulation';
}

export interface EvaluationRequest {
  subject: EvaluationSubject;
  action: EvaluationAction;
  resource: EvaluationResource;
  context?: EvaluationContext;
}

/** Batch: top-level values are defaults each evaluation may override (AuthZEN). */
export interface EvaluationsRequest {
  subject?: EvaluationSubject;
  action?: EvaluationAction;
  resource?: EvaluationResource;
  context?: EvaluationContext;
  evaluations: Partial<EvaluationRequest>[];
}

export type CodeListValue = '*' | string[];

export interface AccessObligations {
  /** Leave out documents carrying any of these labels… */
  exclude_labels: string[];
  /** …except, for MASQUE_PS, documents authored by this professional or organization. */
  author_exception?: { professional?: string; organization?: string };
  /** Keep a document when its class OR its type is listed (`"*"` = all). */
  allowed_classes?: CodeListValue;
  allowed_types?: CodeListValue;
  /** INVISIBLE_PATIENT documents deposited before this instant are visible. */
  invisible_patient_cutoff?: string;
  /** Keep only the documents this submitter (`<kind>:<id>`) submitted (software without a user). */
  submitted_by?: string;
  /** Emergency access in force (the grant is recorded, the patient already notified). */
  break_glass?: { mode: 'bris_de_glace' | 'centre_15'; grant?: string; expires_at?: string };
  notify_patient: boolean;
  audit_as: AccessModeName;
}

export interface EvaluationResponse {
  decision: boolean;
  context: {
    /** Id of the AuditEvent recording the decision. */
    id: string;
    policy_version: string;
    reasons: { code: string; text: string }[];
    reason_admin: { en: string };
    obligations?: AccessObligations;
  };
}

export interface EvaluationsResponse {
  evaluations: EvaluationResponse[];
}
