import type { DocumentReference, Reference } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import type { FhirError } from '@dmp/errors';
import type { SearchFilter } from '@dmp/fhir';

/** What a caller wants to do, in MHD/PDSm terms. */
export type DocumentInteraction =
  'provide' | 'publish' | 'search' | 'read' | 'retrieve' | 'update' | 'delete';

export type MhdTransaction = 'ITI-65' | 'ITI-66' | 'ITI-67' | 'ITI-68' | 'ITI-105';

export interface AccessRequest {
  interaction: DocumentInteraction;
  resourceType: 'DocumentReference' | 'List' | 'Binary';
  transaction?: MhdTransaction;
  /** The patient concerned, when known (literal reference or INS logical reference). */
  patient?: Reference;
  /** The document concerned by a read, retrieve or update (labels, author, status). */
  document?: DocumentReference;
}

/**
 * A refusal carries the error to answer (403, or 503 when the decision point cannot answer: fail
 * closed). A permit carries obligations: `filters` are ANDed into searches (labels to exclude, classes the
 * profession may see…) so the database does the filtering and paging stays true.
 */
export type AccessDecision =
  | { permit: true; filters: SearchFilter[]; audit?: AccessAuditFlags }
  | { permit: false; error: FhirError };

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
 * The access decision point of the documents service. The in-process implementation checks the
 * token scopes; the integration issue wires the consent service (PDP) behind the same port.
 */
export interface AccessDecider {
  decide(actor: Actor, request: AccessRequest): Promise<AccessDecision>;
}
