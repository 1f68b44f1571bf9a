import type { Actor } from '@dmp/auth';
import type { FhirError, TraceContext } from '@dmp/errors';
import type { Logger } from './logger';

/**
 * A request an authenticated caller made that did not succeed (any 4xx but 401, and every 5xx).
 * The HTTP layer hands each one to the service's {@link RefusalTracer} before answering, so
 * every refusal of every service lands in the audit trail, whatever code refused it.
 */
export interface Refusal {
  actor: Actor;
  requestId: string;
  /** The FHIR base URL the caller used (the audit observer). */
  baseUrl: string;
  method: string;
  /** Route template, e.g. `/fhir/DocumentReference/:id` (`unmatched` when none). */
  route: string;
  /** What the route is in audit terms when it says so (e.g. `ITI-67`); see `RouteDefinition.traceAs`. */
  traceAs?: string;
  /** The raw query string as received (without `?`), for the audit query entity. */
  query: string;
  status: number;
  error: FhirError;
  /** What the service attached to the error (patient, resources, the real reason). */
  context?: TraceContext;
}

/** Records a refusal durably; the answer waits for it (an error is logged, the answer still goes). */
export type RefusalTracer = (refusal: Refusal) => Promise<void>;

/**
 * 401s are not written to the audit trail (the caller is unknown, and anyone could fill the
 * trail with them): they are counted, and logged at most once per `windowMs` with the count.
 */
export function createUnauthenticatedLog(logger: Logger, windowMs = 10_000): () => void {
  let windowStart = 0;
  let suppressed = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart < windowMs) {
      suppressed += 1;
      return;
    }
    logger.warn({ sinceLast: suppressed + 1 }, 'unauthenticated requests refused (401)');
    windowStart = now;
    suppressed = 0;
  };
}
