import type { DocumentReference, Identifier, Resource } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import { SUBMITTER_PREFIX } from './constants';

/** `meta.source` value recording who submitted a document. */
export function submitterSource(actor: Pick<Actor, 'kind' | 'id'>): string {
  return `${SUBMITTER_PREFIX}${actor.kind}:${encodeURIComponent(actor.id)}`;
}

function identifiersOf(resource: Resource | undefined): Identifier[] {
  if (resource === undefined || !('identifier' in resource)) return [];
  const value: unknown = resource.identifier;
  return Array.isArray(value) ? (value as Identifier[]) : [];
}

/**
 * Is the actor the document's author (PDSm4DMP: only the author may delete)? True for the
 * software or person that submitted it, for a professional named by an `author` (idNat_PS or
 * token subject), and for a patient who authored it (INS).
 */
export function isAuthor(actor: Actor, document: DocumentReference): boolean {
  if (document.meta?.source === submitterSource(actor)) return true;
  const ids = new Set(
    actor.kind === 'patient'
      ? [actor.patient?.value, actor.id]
      : [actor.nationalProviderId, actor.id],
  );
  ids.delete(undefined);
  return (document.author ?? []).some((author) => {
    if (author.identifier?.value !== undefined && ids.has(author.identifier.value)) return true;
    const reference = author.reference;
    if (!reference?.startsWith('#')) return false;
    const contained = (document.contained ?? []).find((r) => r.id === reference.slice(1));
    return identifiersOf(contained).some(
      (identifier) => identifier.value !== undefined && ids.has(identifier.value),
    );
  });
}
