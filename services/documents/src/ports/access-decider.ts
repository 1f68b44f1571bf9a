import type { DocumentReference, Reference } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import type { FhirError } from '@dmp/errors';
import type { SearchFilter } from '@dmp/fhir';
import type { DecisionBasis } from '../domain/decision-basis';
import type { MetadataChange } from '../domain/metadata-changes';
import type { PatientIns } from '../domain/patient-ins';

/**
 * What a caller wants to do, in MHD/PDSm terms. `relate` and `replace` are decided for each
 * stored document a submission names: `relate` (transforms, appends, signs) needs to see it,
 * `replace` to be allowed to supersede it.
 */
export type DocumentInteraction =
  'provide' | 'publish' | 'search' | 'read' | 'retrieve' | 'update' | 'relate' | 'replace';

export type MhdTransaction = 'ITI-65' | 'ITI-66' | 'ITI-67' | 'ITI-68' | 'ITI-105';

export interface AccessRequest {
  interaction: DocumentInteraction;
  resourceType: 'DocumentReference' | 'List' | 'Binary';
  transaction?: MhdTransaction;
  /**
   * The patient concerned: a `Patient/id`, a conditional `Patient?identifier=…`, an INS
   * identifier, or a reference and an identifier (they must agree).
   */
  patient: Reference;
  /** The document concerned, in its current state (read, retrieve, update, replace). */
  document?: DocumentReference;
  /** What an update changes (`status:…`, `label-add:…`, `label-remove:…`, `archive`…). */
  changes?: MetadataChange[];
}

/**
 * A refusal carries the error to answer (403, 400/422 for a patient that cannot be identified,
 * 503 when the decision point cannot answer: fail closed) and the rule's reason codes. A permit
 * carries the patient it was decided for (the one key the enforcement point then stores and
 * searches under, and the registry's reference to it) and obligations: `filters` ANDed into
 * searches (labels to exclude, classes the profession may see…) so the database does the
 * filtering and paging stays true.
 */
export type AccessDecision =
  | {
      permit: true;
      patient: PatientIns;
      /** The registry's `Patient/<id>`, when the request named the patient by a reference. */
      patientReference?: string;
      filters: SearchFilter[];
      audit?: AccessAuditFlags;
      /** What the decision point said, for the AuditEvent of the access. */
      basis?: DecisionBasis;
    }
  | { permit: false; error: FhirError; reasons: string[] };

/**
 * How the decision point says the access must be audited (consent's `audit_as` and break-glass
 * obligations): the access mode (`bris_de_glace` / `centre_15` flag the AuditEvent with
 * `BTG`/`ETREAT`, SPEC C2.9, D.5) and the emergency grant the permit rests on.
 */
export interface AccessAuditFlags {
  accessMode: Actor['accessMode'];
  /** `Consent/<id>` of the emergency grant. */
  grant?: string;
}

/**
 * The access decision point of the documents service, asked only by the enforcement point: the
 * consent service over HTTP in the product, token scopes with a static patient registry in
 * component tests.
 */
export interface AccessDecider {
  decide(actor: Actor, request: AccessRequest): Promise<AccessDecision>;
}
