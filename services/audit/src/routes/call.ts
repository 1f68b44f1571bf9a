import { fhirError } from '@dmp/errors';
import type { FhirRequest } from '@dmp/http';
import type { CallContext } from '../use-cases/context';

/** The use cases' view of a request (authenticated routes always carry an actor). */
export function callOf(request: FhirRequest): CallContext {
  if (!request.actor) throw fhirError('DMP-AUTH-TOKEN-MISSING');
  return {
    actor: request.actor,
    requestId: request.requestId,
    baseUrl: request.baseUrl,
    lenient: request.prefer.handling === 'lenient',
  };
}
