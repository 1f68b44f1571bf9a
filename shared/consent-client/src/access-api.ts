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
    /**
     * Id of the decision: the id of the consent service's AuditEvent when it records the
     * decision (denials, break-glass, centre 15); a routine permit is recorded by the access it
     * allowed, whose AuditEvent carries this id, the reasons and the policy version.
     */
    id: string;
    policy_version: string;
    reasons: { code: string; text: string }[];
    reason_admin: { en: string };
    obligations?: AccessObligations;
    /**
     * Present on a permit that an enforcement point following the change feed
     * (`GET /access/v1/changes`) may reuse for the same question: a normal-mode permit whose
     * obligations do not depend on the instant of the decision. `within_ms`: its basis (an
     * authorization's period) changes that many milliseconds after the decision, so it may not
     * be reused longer. Absent: ask again every time.
     */
    reuse?: { within_ms?: number };
  };
}

export interface EvaluationsResponse {
  evaluations: EvaluationResponse[];
}

/**
 * One change of the consent service's state after which earlier decisions may be stale
 * (`GET /access/v1/changes`): the DMP of a patient (its state or the patient's choices), or
 * the access policy (every decision).
 */
export type ConsentChange =
  | { seq: number; kind: 'patient'; patient: { system: string; value: string } }
  | { seq: number; kind: 'policy' };

export interface ChangesResponse {
  /** The changes after the follower's `after`, ascending (empty when none came in time). */
  changes: ConsentChange[];
  /** The last change in the feed when answered (the follower's `after` when it registers). */
  head: number;
  /**
   * More changes follow those answered: poll again at once. A follower is not up to date, and
   * may not reuse decisions, until it read an answer without `more`.
   */
  more?: boolean;
  /**
   * The follower's lease, and the longest a change waits for the followers' acknowledgements
   * before it answers: a follower stops reusing decisions once its last answered poll is that
   * old (with a margin).
   */
  lease_ms: number;
  /** Fingerprint of the access policy the answering instance decides with. */
  policy: string;
}
