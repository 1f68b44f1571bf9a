import { fhirError } from '@dmp/errors';

/**
 * What `parseSearch` accepts: URLSearchParams (GET query string or a parsed
 * `application/x-www-form-urlencoded` POST `_search` body), or a record such as Express's
 * `req.query` / `req.body` where a repeated parameter is an array. Values are already
 * percent-decoded.
 */
export type SearchInput =
  URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;

/** One `name=value` pair of the query, in order. */
export interface RawParameter {
  name: string;
  value: string;
}

/**
 * C0 control characters (U+0000–U+001F) and DEL: no FHIR search value needs them, and the
 * databases treat them differently (MongoDB refuses a NUL in a regular expression, `$` matches
 * before a final newline), so both adapters see none.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function checkText(name: string, value: string): RawParameter {
  if (CONTROL_CHARACTER.test(name) || CONTROL_CHARACTER.test(value)) {
    const shown = [...name].map((c) => (CONTROL_CHARACTER.test(c) ? '?' : c)).join('');
    throw fhirError(
      'DMP-SEARCH-INVALID-VALUE',
      `Parameter '${shown}' contains a control character (U+0000 to U+001F, or U+007F)`,
      shown,
    );
  }
  return { name, value };
}

/**
 * Flattens the input into pairs; rejects non-string values (nested `qs` objects) and control
 * characters in names and values.
 */
export function toRawParameters(input: SearchInput): RawParameter[] {
  if (input instanceof URLSearchParams) {
    return [...input.entries()].map(([name, value]) => checkText(name, value));
  }
  const pairs: RawParameter[] = [];
  for (const [name, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    const values: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (typeof value !== 'string') {
        throw fhirError('DMP-SEARCH-INVALID-VALUE', `Parameter '${name}' must be text`, name);
      }
      pairs.push(checkText(name, value));
    }
  }
  return pairs;
}

/**
 * Splits `value` on `separator` where it is not escaped by a backslash (`\,`, `\|`, `\$`).
 * The pieces keep their escapes; pass them to {@link unescapeValue} when done splitting.
 */
export function splitUnescaped(value: string, separator: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i += 1) {
    const char = value.charAt(i);
    if (char === '\\' && i + 1 < value.length) {
      current += char + value.charAt(i + 1);
      i += 1;
    } else if (char === separator) {
      pieces.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  pieces.push(current);
  return pieces;
}

/** Removes the FHIR search escapes: `\,` → `,`, `\|` → `|`, `\$` → `$`, `\\` → `\`. */
export function unescapeValue(value: string): string {
  return value.replace(/\\([,|$\\])/g, '$1');
}

/**
 * The comma-separated OR values of one parameter, unescaped only if `keepEscapes` is false.
 * An empty value, or an empty item (`a,,b`), is a 400.
 */
export function splitOrValues(name: string, value: string, keepEscapes = false): string[] {
  const pieces = splitUnescaped(value, ',');
  if (pieces.some((piece) => piece.length === 0)) {
    throw fhirError('DMP-SEARCH-INVALID-VALUE', `Parameter '${name}' has an empty value`, name);
  }
  return keepEscapes ? pieces : pieces.map(unescapeValue);
}
