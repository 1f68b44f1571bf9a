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
  'DMP-INS-INVALID': {
    status: 400,
    issue: 'value',
    summary: 'The INS is malformed or its control key is wrong.',
  },
  // Infrastructure
  'DMP-STORAGE-UNAVAILABLE': {
    status: 503,
    issue: 'transient',
    summary: 'The database is not available; retry later.',
  },
  'DMP-INTERNAL': { status: 500, issue: 'exception', summary: 'Unexpected server error.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** CodeSystem of our stable error codes, used in `issue.details.coding.system`. */
export const ERROR_CODE_SYSTEM = 'https://dmp.example.fr/fhir/CodeSystem/error-code';

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, value);
}
