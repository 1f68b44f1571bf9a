import type { Actor } from '@dmp/auth';
import { SUBMITTER_PREFIX } from './constants';

/**
 * Who the caller is for the access rules: a professional is their idNat_PS
 * (`ihe_iua.national_provider_identifier`) when the token carries one, whatever its `sub`;
 * anyone else the token's `sub`. The decision's subject and the submitter recorded on what
 * the caller submits must be the same identity, or a professional whose idNat_PS happens to
 * equal another's `sub` would be taken for the submitter of that one's documents.
 */
export function subjectIdOf(actor: Pick<Actor, 'kind' | 'id' | 'nationalProviderId'>): string {
  return actor.kind === 'practitioner' ? (actor.nationalProviderId ?? actor.id) : actor.id;
}

/**
 * `meta.source` recording who submitted a document (`urn:dmp:submitter:<kind>:<id>`, the id
 * being {@link subjectIdOf}): the access rules read it back (`DocumentFacts.submitter`) and
 * compare it with the decision's subject, to let software manage its own submissions, and
 * searches of software are kept to them (`submitted_by`).
 */
export function submitterSource(actor: Pick<Actor, 'kind' | 'id' | 'nationalProviderId'>): string {
  return `${SUBMITTER_PREFIX}${actor.kind}:${encodeURIComponent(subjectIdOf(actor))}`;
}
