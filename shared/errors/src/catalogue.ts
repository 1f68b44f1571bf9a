import type { OperationOutcomeIssue } from 'fhir/r4';

/** FHIR IssueType codes (http://hl7.org/fhir/issue-type) used by the catalogue. */
export type IssueType = OperationOutcomeIssue['code'];

export interface CatalogueEntry {
  /** HTTP status the error is answered with. */
  readonly status: number;
  /** FHIR issue type placed in `issue.code`. */
  readonly issue: IssueType;
  /** Human summary; the instance message adds the specifics. */
  readonly summary: string;
}

/**
 * Every error that can leave a service, by stable code. The code travels in
 * `OperationOutcome.issue.details.coding` (system {@link ERROR_CODE_SYSTEM}) so that clients can
 * branch on it without parsing text. Codes are never renamed or reused; README lists them all.
 */
export const ERROR_CATALOGUE = {
  // HTTP layer
  'DMP-HTTP-MALFORMED-JSON': {
    status: 400,
    issue: 'structure',
    summary: 'The request body is not well-formed JSON.',
  },
  'DMP-HTTP-MALFORMED-XML': {
    status: 400,
    issue: 'structure',
    summary: 'The request body is not well-formed FHIR XML.',
  },
  'DMP-HTTP-UNSUPPORTED-MEDIA-TYPE': {
    status: 415,
    issue: 'not-supported',
    summary: 'The request body media type is not supported.',
  },
  'DMP-HTTP-NOT-ACCEPTABLE': {
    status: 406,
    issue: 'not-supported',
    summary: 'No representation matches the Accept header or _format.',
  },
  'DMP-HTTP-PAYLOAD-TOO-LARGE': {
    status: 413,
    issue: 'too-costly',
    summary: 'The request body exceeds the configured size limit.',
  },
  'DMP-HTTP-JSON-TOO-DEEP': {
    status: 400,
    issue: 'too-costly',
    summary: 'The request body nests JSON deeper than the configured limit.',
  },
  'DMP-HTTP-ROUTE-NOT-FOUND': { status: 404, issue: 'not-found', summary: 'No such endpoint.' },
  'DMP-HTTP-METHOD-NOT-ALLOWED': {
    status: 405,
    issue: 'not-supported',
    summary: 'The endpoint does not support this HTTP method.',
  },
  'DMP-HTTP-INVALID-HEADER': {
    status: 400,
    issue: 'value',
    summary: 'A request header has an invalid value.',
  },
  'DMP-HTTP-PRECONDITION-REQUIRED': {
    status: 428,
    issue: 'required',
    summary: 'This operation requires an If-Match header.',
  },
  // Authentication and authorization
  'DMP-AUTH-TOKEN-MISSING': {
    status: 401,
    issue: 'login',
    summary: 'A Bearer access token is required.',
  },
  'DMP-AUTH-TOKEN-INVALID': {
    status: 401,
    issue: 'security',
    summary: 'The access token is not valid.',
  },
  'DMP-AUTH-TOKEN-EXPIRED': {
    status: 401,
    issue: 'expired',
    summary: 'The access token has expired.',
  },
  'DMP-AUTH-TOKEN-TOO-LONG-LIVED': {
    status: 401,
    issue: 'security',
    summary: 'The access token lives longer than the configured maximum.',
  },
  'DMP-AUTH-SCOPE-INSUFFICIENT': {
    status: 403,
    issue: 'forbidden',
    summary: 'The access token does not grant this interaction.',
  },
  'DMP-AUTH-FORBIDDEN': {
    status: 403,
    issue: 'forbidden',
    summary: 'This actor may not perform this interaction.',
  },
  'DMP-AUTH-SERVICE-ONLY': {
    status: 403,
    issue: 'forbidden',
    summary: "Only the product's own services may call this endpoint.",
  },
  // Search
  'DMP-SEARCH-UNKNOWN-PARAMETER': {
    status: 400,
    issue: 'not-supported',
    summary: 'The search parameter is not supported for this resource type.',
  },
  'DMP-SEARCH-UNSUPPORTED-MODIFIER': {
    status: 400,
    issue: 'not-supported',
    summary: 'The search modifier is not supported for this parameter.',
  },
  'DMP-SEARCH-INVALID-VALUE': {
    status: 400,
    issue: 'value',
    summary: 'The search parameter value is malformed.',
  },
  'DMP-SEARCH-INVALID-PREFIX': {
    status: 400,
    issue: 'value',
    summary: 'The search prefix is not valid for this parameter.',
  },
  'DMP-SEARCH-COUNT-TOO-LARGE': {
    status: 400,
    issue: 'too-costly',
    summary: '_count is beyond the server maximum.',
  },
  'DMP-SEARCH-TOO-MANY-PARAMETERS': {
    status: 400,
    issue: 'too-costly',
    summary: 'The search has more parameters than the configured limit.',
  },
  'DMP-SEARCH-TOO-MANY-VALUES': {
    status: 400,
    issue: 'too-costly',
    summary:
      'A search parameter lists more alternatives (comma-separated) than the configured limit.',
  },
  'DMP-SEARCH-INVALID-SORT': {
    status: 400,
    issue: 'not-supported',
    summary: 'The result set cannot be sorted on this parameter.',
  },
  'DMP-SEARCH-INVALID-CURSOR': {
    status: 400,
    issue: 'value',
    summary: 'The paging cursor is not valid for this search.',
  },
  // Resources
  'DMP-RESOURCE-INVALID': {
    status: 400,
    issue: 'structure',
    summary: 'The resource does not conform to the FHIR R4 schema.',
  },
  'DMP-RESOURCE-TYPE-MISMATCH': {
    status: 400,
    issue: 'invalid',
    summary: 'The resource type does not match the endpoint.',
  },
  'DMP-RESOURCE-ID-MISMATCH': {
    status: 400,
    issue: 'invalid',
    summary: 'The resource id does not match the URL.',
  },
  'DMP-RESOURCE-NOT-FOUND': {
    status: 404,
    issue: 'not-found',
    summary: 'The resource does not exist.',
  },
  'DMP-RESOURCE-VERSION-NOT-FOUND': {
    status: 404,
    issue: 'not-found',
    summary: 'The resource version does not exist.',
  },
  'DMP-RESOURCE-GONE': { status: 410, issue: 'deleted', summary: 'The resource has been deleted.' },
  'DMP-RESOURCE-VERSION-CONFLICT': {
    status: 412,
    issue: 'conflict',
    summary: 'The resource was changed since the version given in If-Match.',
  },
  'DMP-RESOURCE-DUPLICATE': {
    status: 409,
    issue: 'duplicate',
    summary: 'A resource with this identity already exists.',
  },
  'DMP-CONDITIONAL-MULTIPLE-MATCHES': {
    status: 412,
    issue: 'multiple-matches',
    summary: 'The conditional criteria match more than one resource.',
  },
  'DMP-CONDITIONAL-NO-MATCH': {
    status: 404,
    issue: 'not-found',
    summary: 'The conditional reference matches no resource (FHIR transaction rules).',
  },
  'DMP-INS-INVALID': {
    status: 400,
    issue: 'value',
    summary: 'The INS is malformed or its control key is wrong.',
  },
  // Documents service (MHD, PDSm)
  'DMP-MHD-BUNDLE-INVALID': {
    status: 400,
    issue: 'invalid',
    summary: 'The ITI-65 bundle breaks the MHD/PDSm structure or metadata rules.',
  },
  'DMP-MHD-METADATA-MISSING': {
    status: 400,
    issue: 'required',
    summary: 'A metadata element required by the claimed MHD/PDSm profile is missing.',
  },
  'DMP-MHD-PATIENT-MISMATCH': {
    status: 400,
    issue: 'invalid',
    summary: 'The entries of the submission do not identify one and the same patient.',
  },
  'DMP-MHD-MISSING-DOCUMENT': {
    status: 400,
    issue: 'required',
    summary: 'A DocumentReference does not point to a Binary of the same bundle.',
  },
  'DMP-MHD-DUPLICATE-UNIQUE-ID': {
    status: 409,
    issue: 'duplicate',
    summary: 'A document with this masterIdentifier already exists in the repository.',
  },
  'DMP-MHD-HASH-MISMATCH': {
    status: 422,
    issue: 'value',
    summary: 'attachment.hash is not the SHA-1 of the document bytes.',
  },
  'DMP-MHD-SIZE-MISMATCH': {
    status: 422,
    issue: 'value',
    summary: 'attachment.size is not the byte length of the document.',
  },
  'DMP-MHD-RELATED-DOCUMENT-INVALID': {
    status: 422,
    issue: 'business-rule',
    summary: 'The related (replaced) document is unknown, not current or of another patient.',
  },
  'DMP-MHD-SEARCH-PARAMETER-REQUIRED': {
    status: 400,
    issue: 'required',
    summary: 'The search needs patient or patient.identifier, and status.',
  },
  'DMP-MHD-DOCUMENT-TOO-LARGE': {
    status: 413,
    issue: 'too-costly',
    summary: 'The document exceeds the maximum accepted size.',
  },
  'DMP-MHD-RANGE-NOT-SATISFIABLE': {
    status: 416,
    issue: 'value',
    summary: 'The requested byte range is outside the document.',
  },
  'DMP-PDSM-PATCH-NOT-ALLOWED': {
    status: 405,
    issue: 'not-supported',
    summary: 'Only status, securityLabel and the isArchived extension may be changed.',
  },
  'DMP-PDSM-PATCH-INVALID': {
    status: 422,
    issue: 'invalid',
    summary: 'The patch is malformed or its result breaks a business rule.',
  },
  'DMP-PDSM-DELETE-NOT-AUTHOR': {
    status: 403,
    issue: 'forbidden',
    summary: "Only the document's author may delete it.",
  },
  // Service integration (documents → consent, audit)
  'DMP-ACCESS-DECISION-UNAVAILABLE': {
    status: 503,
    issue: 'transient',
    summary: 'The access decision service could not answer; access is refused (fail closed).',
  },
  'DMP-PATIENT-NO-DMP': {
    status: 422,
    issue: 'business-rule',
    summary: 'The patient has no open DMP, or is unknown to the patient registry.',
  },
  // Consent service (DMP rules, decisions, break-glass)
  'DMP-CONSENT-REQUEST-INVALID': {
    status: 400,
    issue: 'invalid',
    summary: 'The consent or decision request is missing an element or has an invalid value.',
  },
  'DMP-CONSENT-PATIENT-REQUIRED': {
    status: 400,
    issue: 'required',
    summary: 'The request does not name the patient (INS).',
  },
  'DMP-CONSENT-BREAK-GLASS-REASON-REQUIRED': {
    status: 400,
    issue: 'required',
    summary: 'Break-glass access needs a written reason.',
  },
  'DMP-CONSENT-ACTOR-NOT-ALLOWED': {
    status: 403,
    issue: 'forbidden',
    summary: 'This kind of actor may not perform this consent operation.',
  },
  'DMP-CONSENT-PATIENT-MISMATCH': {
    status: 403,
    issue: 'forbidden',
    summary: 'The access token is bound to another patient.',
  },
  'DMP-CONSENT-DENIED': {
    status: 403,
    issue: 'forbidden',
    summary: 'The DMP access rules deny this access.',
  },
  'DMP-CONSENT-DMP-NOT-FOUND': {
    status: 404,
    issue: 'not-found',
    summary: 'The patient has no DMP.',
  },
  'DMP-CONSENT-DMP-CLOSED': {
    status: 409,
    issue: 'conflict',
    summary: 'The DMP is closed; re-open it first.',
  },
  'DMP-CONSENT-CHANGE-INVALID': {
    status: 422,
    issue: 'business-rule',
    summary: 'The consent change contradicts itself or the current choices.',
  },
  'DMP-CONSENT-POLICY-INVALID': {
    status: 422,
    issue: 'invalid',
    summary: 'The access policy could not be loaded; the policy in force is kept.',
  },
  // Audit service (ATNA, BALP, tamper evidence)
  'DMP-AUDIT-EVENT-INVALID': {
    status: 422,
    issue: 'required',
    summary:
      'The AuditEvent lacks a BALP essential: type, recorded, an agent with who, source.observer.',
  },
  'DMP-AUDIT-BUNDLE-INVALID': {
    status: 400,
    issue: 'invalid',
    summary: 'The audit feed Bundle must be a batch or transaction of POSTed AuditEvents.',
  },
  'DMP-AUDIT-ACCESS-DENIED': {
    status: 403,
    issue: 'forbidden',
    summary: 'This caller may not read these audit events.',
  },
  'DMP-AUDIT-PARAMETER-INVALID': {
    status: 400,
    issue: 'invalid',
    summary: 'An audit operation parameter is missing or malformed.',
  },
  // Infrastructure
  'DMP-STORAGE-UNAVAILABLE': {
    status: 503,
    issue: 'transient',
    summary: 'The database is not available; retry later.',
  },
  // Web console (services/console)
  'DMP-CONSOLE-SIGN-IN-REQUIRED': {
    status: 401,
    issue: 'login',
    summary: 'Sign in to the console first (no session, or it expired).',
  },
  'DMP-CONSOLE-SIGN-IN-FAILED': {
    status: 401,
    issue: 'security',
    summary: 'Sign-in failed (identity provider error, or an expired or replayed sign-in).',
  },
  'DMP-CONSOLE-CSRF-REJECTED': {
    status: 403,
    issue: 'forbidden',
    summary:
      "A state-changing request lacks the session's CSRF token or comes from another origin.",
  },
  'DMP-CONSOLE-REQUEST-INVALID': {
    status: 400,
    issue: 'invalid',
    summary: 'The console request is missing an element or has an invalid value.',
  },
  'DMP-CONSOLE-UPSTREAM-UNAVAILABLE': {
    status: 502,
    issue: 'transient',
    summary: 'A service behind the console did not answer; retry later.',
  },
  'DMP-INTERNAL': { status: 500, issue: 'exception', summary: 'Unexpected server error.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** CodeSystem of our stable error codes, used in `issue.details.coding.system`. */
export const ERROR_CODE_SYSTEM = 'https://dmp.example.fr/fhir/CodeSystem/error-code';

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, value);
}
