import type { Actor } from '@dmp/auth';
import { SUBMITTER_PREFIX } from './constants';

/**
 * `meta.source` recording who submitted a document (`urn:dmp:submitter:<kind>:<id>`): the
 * access rules read it back (`DocumentFacts.submitter`) to let software manage its own
 * submissions, and searches of software are kept to them (`submitted_by`).
 */
export function submitterSource(actor: Pick<Actor, 'kind' | 'id'>): string {
  return `${SUBMITTER_PREFIX}${actor.kind}:${encodeURIComponent(actor.id)}`;
}
