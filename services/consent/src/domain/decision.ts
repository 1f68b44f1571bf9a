import type { AccessPolicy, CodeList } from './access-policy';
import type { DocumentChange } from './document-changes';
import type { PatientPreferences } from './preferences';
import type { ActionName } from './vocabulary';

/** Everything the rules need to know, already extracted from tokens, requests and storage. */

export type SubjectKind = 'practitioner' | 'patient' | 'system' | 'auditor';
export type AccessMode = 'normal' | 'bris_de_glace' | 'centre_15';
export type EmergencyMode = Exclude<AccessMode, 'normal'>;

export interface SubjectFacts {
  kind: SubjectKind;
  /** idNat_PS (practitioner), INS or account id (patient), client id (system). */
  id: string;
  /** G15 profession code. */
  profession?: string;
  organizationId?: string;
  accessMode: AccessMode;
  accessReason?: string;
  attestation?: 'care_team' | 'consent' | 'regulation';
  /** INS the caller's token is bound to (`ihe_iua.person_id`), if any. */
  patientIns?: string;
  /** A patient-side caller acting as a minor's legal representative (C3.5). */
  legalRepresentative: boolean;
}

export interface DocumentFacts {
  classCode?: string;
  typeCode?: string;
  /** Visibility flags and confidentiality codes (codes only). */
  labels: readonly string[];
  /** Identifiers (idNat_PS, patient INS…) of its authors. */
  authors: readonly string[];
  /** Identifiers of the organizations it was authored in (the depositing establishment). */
  authorOrganizations: readonly string[];
  /** `<kind>:<id>` of the caller who submitted it. */
  submitter?: string;
  /** When the document was deposited (ISO 8601). */
  depositDate?: string;
}

export type DmpState = 'open' | 'closed' | 'none';

export interface DmpFacts {
  ins: string;
  state: DmpState;
  preferences: PatientPreferences;
}

export interface DecisionInput {
  subject: SubjectFacts;
  action: ActionName;
  dmp: DmpFacts;
  /** Present when the decision is about one known document. */
  document?: DocumentFacts;
  /** What an `update-metadata` changes. */
  changes?: readonly DocumentChange[];
  policy: AccessPolicy;
  now: Date;
}

/** What the caller must apply to what it serves when the decision is a permit. */
export interface Obligations {
  /** Documents carrying any of these labels must be left out… */
  excludeLabels: string[];
  /** …except, for `MASQUE_PS`, those authored by this professional or organization (C3.1). */
  authorException?: { professional?: string; organization?: string };
  /** Matrix filter: keep a document when its class OR its type is listed (`"*"` = all). */
  allowedClasses?: CodeList;
  allowedTypes?: CodeList;
  /** `INVISIBLE_PATIENT` documents deposited before this instant are visible again (C3.4). */
  invisiblePatientCutoff?: string;
  /** Software without a user: keep only the documents it submitted (`<kind>:<id>`). */
  submittedBy?: string;
  /** Set on emergency access: the access must be flagged and the patient notified. */
  emergency?: EmergencyMode;
  notifyPatient: boolean;
  auditAs: AccessMode;
}

export interface Reason {
  code: string;
  text: string;
}

export interface Decision {
  permit: boolean;
  reasons: Reason[];
  obligations?: Obligations;
}

export function deny(code: string, text: string): Decision {
  return { permit: false, reasons: [{ code, text }] };
}

export function permit(reasons: Reason[], obligations: Obligations): Decision {
  return { permit: true, reasons, obligations };
}

/** The instant one month before `now`: the end of the `INVISIBLE_PATIENT` window (C3.4). */
export function invisiblePatientCutoff(now: Date): Date {
  const cutoff = new Date(now.getTime());
  cutoff.setUTCMonth(cutoff.getUTCMonth() - 1);
  return cutoff;
}

/** The subject's identity as a submitter (`<kind>:<id>`), as the documents service records it. */
export function submitterOf(subject: SubjectFacts): string {
  return `${subject.kind}:${subject.id}`;
}

/**
 * Is the subject on the author's side of this document (C1.9, C.7 step 5)? The person named as
 * its author (idNat_PS, or the patient's INS), whoever submitted it with their own token, and
 * for software (a structure certificate) the establishment the document was authored in.
 */
export function isAuthorSide(subject: SubjectFacts, document: DocumentFacts | undefined): boolean {
  if (!document) return false;
  const personal = subject.kind === 'patient' ? (subject.patientIns ?? subject.id) : subject.id;
  if (document.authors.includes(personal)) return true;
  if (document.submitter === submitterOf(subject)) return true;
  return (
    subject.kind === 'system' &&
    subject.organizationId !== undefined &&
    document.authorOrganizations.includes(subject.organizationId)
  );
}
