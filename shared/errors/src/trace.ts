import type { Identifier } from 'fhir/r4';

/**
 * What a service knows about a refused request, for its own audit trail only (never sent to the
 * client): the HTTP layer records every refusal, and a use case that knows more (the patient,
 * the document, the real reason behind a 404 that hides a document) attaches it to the error.
 */
export interface TraceContext {
  /** The patient concerned (INS), once known and valid. */
  patient?: Identifier;
  /** The resources concerned, as `Type/id`. */
  entities?: string[];
  /** The real reason when the answer hides it (e.g. a 404 for a document the caller may not see). */
  reason?: string;
}

const contexts = new WeakMap<Error, TraceContext>();

/** Attaches (merges) trace facts to an error on its way out; returns the error. */
export function withTrace<E extends Error>(error: E, context: TraceContext): E {
  contexts.set(error, { ...contexts.get(error), ...context });
  return error;
}

/** The trace facts attached to an error, if any. */
export function traceOf(error: unknown): TraceContext | undefined {
  return error instanceof Error ? contexts.get(error) : undefined;
}
