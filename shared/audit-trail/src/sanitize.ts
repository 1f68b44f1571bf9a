import type { AuditEvent } from 'fhir/r4';

/** Longest text kept in one audit element; longer text is cut (an audit trail is not a store). */
export const MAX_AUDIT_TEXT = 4096;

/**
 * FHIR strings allow no whitespace but space, tab, CR and LF (`^[ \r\n\t\S]+$`): no-break
 * spaces, U+2028/2029 and the like are refused by the audit service's R4 validation, and so are
 * empty strings. Control characters and lone surrogates pass that pattern but break XML and
 * canonical forms. All of them can reach an AuditEvent from outside (a token's display name, a
 * break-glass reason, an error message quoting a parameter).
 */
const FOREIGN_WHITESPACE = /[^\S \r\n\t]/gu;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Printable ASCII, tab, CR, LF: nothing to clean (the usual case, tested first). */
const PLAIN_ASCII = /^[\x20-\x7E\t\r\n]*$/;

function cleanText(value: string): string | undefined {
  if (value.length <= MAX_AUDIT_TEXT && PLAIN_ASCII.test(value)) {
    return value.trim() === '' ? undefined : value;
  }
  const text = value
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(FOREIGN_WHITESPACE, ' ')
    .replace(CONTROL, '\uFFFD')
    .slice(0, MAX_AUDIT_TEXT);
  return text.trim() === '' ? undefined : text;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) {
    const items = value.map(clean).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, clean(item)] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

/**
 * The event made valid at its source: every string of it cleaned as above, empty strings,
 * arrays and objects dropped, non-finite numbers dropped. Applied to every AuditEvent before it
 * enters an outbox or the audit log, so that the audit service never has a reason to refuse one.
 */
export function sanitizeAuditEvent(event: AuditEvent): AuditEvent {
  return isClean(event) ? event : (clean(event) as AuditEvent);
}

/** Whether {@link clean} would leave `value` as it is (checked without copying anything). */
function isClean(value: unknown): boolean {
  if (typeof value === 'string') return cleanText(value) === value;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.length > 0 && value.every(isClean);
  if (typeof value === 'object' && value !== null) {
    const items = Object.values(value);
    return items.length > 0 && items.every(isClean);
  }
  return value !== undefined;
}
