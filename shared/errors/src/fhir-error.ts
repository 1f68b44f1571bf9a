import type { Coding, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { ERROR_CATALOGUE, ERROR_CODE_SYSTEM, type ErrorCode, type IssueType } from './catalogue';

/** One fault to report: a catalogue code, the specifics, and the element at fault (FHIRPath). */
export interface Fault {
  code: ErrorCode;
  /** Specific message for this instance; defaults to the catalogue summary. Never patient data. */
  message?: string;
  /** FHIRPath of the element at fault, e.g. `Bundle.entry[2].resource.subject`. */
  expression?: string | string[];
  /** Extra codings for `issue.details` (e.g. an IHE XDS error code). */
  extraCodings?: Coding[];
  /** Overrides the catalogue's issue type when a more precise one applies. */
  issue?: IssueType;
  severity?: OperationOutcomeIssue['severity'];
}

/**
 * The one error type that leaves a service. It carries the HTTP status and the OperationOutcome
 * to send; the HTTP layer serializes it as `application/fhir+json`.
 */
export class FhirError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly outcome: OperationOutcome;
  /** Extra response headers, e.g. `WWW-Authenticate` for 401. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    faults: Fault | Fault[],
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    const list = Array.isArray(faults) ? faults : [faults];
    const first = list[0];
    if (!first) throw new TypeError('FhirError needs at least one fault');
    super(first.message ?? ERROR_CATALOGUE[first.code].summary, { cause: options.cause });
    this.name = 'FhirError';
    this.code = first.code;
    this.status = ERROR_CATALOGUE[first.code].status;
    this.outcome = buildOperationOutcome(list);
    this.headers = options.headers ?? {};
  }
}

/** Shorthand for the common single-fault case. */
export function fhirError(
  code: ErrorCode,
  message?: string,
  expression?: string | string[],
): FhirError {
  return new FhirError({ code, message, expression });
}

export function issueFromFault(fault: Fault): OperationOutcomeIssue {
  const entry = ERROR_CATALOGUE[fault.code];
  const expression =
    fault.expression === undefined ? undefined : ([] as string[]).concat(fault.expression);
  return {
    severity: fault.severity ?? 'error',
    code: fault.issue ?? entry.issue,
    details: {
      coding: [
        { system: ERROR_CODE_SYSTEM, code: fault.code, display: entry.summary },
        ...(fault.extraCodings ?? []),
      ],
      text: fault.message ?? entry.summary,
    },
    ...(expression ? { expression } : {}),
    diagnostics: fault.message ?? entry.summary,
  };
}

export function buildOperationOutcome(faults: Fault[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: faults.map(issueFromFault) };
}

/** An informational OperationOutcome (e.g. for `Prefer: return=OperationOutcome` on success). */
export function informationOutcome(text: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics: text }],
  };
}

export function isFhirError(error: unknown): error is FhirError {
  return error instanceof FhirError;
}
