import { fhirError } from '@dmp/errors';
import type { FhirRequest } from '@dmp/http';
import type { CallContext, DocumentsContext } from '../use-cases/context';

/** The use cases' view of a request: who calls, under which id, at which base URL. */
export function callOf(request: FhirRequest): CallContext {
  if (!request.actor) throw fhirError('DMP-AUTH-TOKEN-MISSING');
  return {
    actor: request.actor,
    requestId: request.requestId,
    baseUrl: request.baseUrl,
    rawQuery: request.searchParams.toString(),
  };
}

/** Routes get the context lazily: listing them (OpenAPI test, CapabilityStatement) needs none. */
export type ContextSource = () => DocumentsContext;
