import type { Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import type { Caller } from '../use-cases/context';

/** The authenticated caller of a (non-public) route, with its request id. */
export function callerOf(request: { actor?: Actor; requestId: string }): Caller {
  if (!request.actor) throw fhirError('DMP-AUTH-TOKEN-MISSING');
  return { actor: request.actor, requestId: request.requestId };
}
