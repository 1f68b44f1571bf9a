import { fhirError } from '@dmp/errors';
import type { Actor } from './actor';

/**
 * Is the caller one of the product's own services? Only a system token whose client id is in
 * `clients` (configured per receiving endpoint: the decision API trusts the documents service,
 * the audit feed the documents and consent services). Hospitals, professionals and patients
 * never are, whatever their scopes.
 */
export function isServiceClient(actor: Actor, clients: readonly string[]): boolean {
  return actor.kind === 'system' && clients.includes(actor.clientId ?? actor.id);
}

/** Throws 403 `DMP-AUTH-SERVICE-ONLY` unless {@link isServiceClient}. */
export function requireServiceClient(actor: Actor, clients: readonly string[]): void {
  if (!isServiceClient(actor, clients)) {
    throw fhirError(
      'DMP-AUTH-SERVICE-ONLY',
      "Only the product's own services may call this endpoint",
    );
  }
}
