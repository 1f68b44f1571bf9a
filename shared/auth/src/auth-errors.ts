import { FhirError } from '@dmp/errors';

/**
 * 401/403 helpers. Every 401 carries an RFC 6750 `WWW-Authenticate` challenge. Descriptions are
 * fixed phrases or claim names: never token contents, never patient identifiers.
 */
const REALM = 'Bearer realm="dmp"';

function quoted(text: string): string {
  return text.replace(/["\\]/g, "'");
}

/** No usable `Authorization: Bearer` header: challenge without an error code (RFC 6750 §3.1). */
export function tokenMissingError(): FhirError {
  return new FhirError(
    { code: 'DMP-AUTH-TOKEN-MISSING', message: 'A Bearer access token is required.' },
    { headers: { 'WWW-Authenticate': REALM } },
  );
}

/** A token was sent but cannot be accepted (signature, issuer, audience, shape, policy). */
export function tokenInvalidError(description: string, cause?: unknown): FhirError {
  return new FhirError(
    { code: 'DMP-AUTH-TOKEN-INVALID', message: description },
    {
      headers: {
        'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${quoted(description)}"`,
      },
      cause,
    },
  );
}

/** The token is valid but lives longer than the service accepts (a stolen token stays useful). */
export function tokenTooLongLivedError(maxSeconds: number): FhirError {
  const description = `The access token lifetime exceeds ${String(maxSeconds)} seconds.`;
  return new FhirError(
    { code: 'DMP-AUTH-TOKEN-TOO-LONG-LIVED', message: description },
    {
      headers: {
        'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${description}"`,
      },
    },
  );
}

export function tokenExpiredError(cause?: unknown): FhirError {
  const description = 'The access token has expired.';
  return new FhirError(
    { code: 'DMP-AUTH-TOKEN-EXPIRED', message: description },
    {
      headers: {
        'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${description}"`,
      },
      cause,
    },
  );
}

/** 403 with the RFC 6750 `insufficient_scope` challenge naming the scope needed. */
export function scopeInsufficientError(description: string, neededScope: string): FhirError {
  return new FhirError(
    { code: 'DMP-AUTH-SCOPE-INSUFFICIENT', message: description },
    {
      headers: {
        'WWW-Authenticate': `${REALM}, error="insufficient_scope", error_description="${quoted(description)}", scope="${quoted(neededScope)}"`,
      },
    },
  );
}
