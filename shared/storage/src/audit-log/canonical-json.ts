/**
 * Canonical JSON in the style of RFC 8785 (JCS): object members sorted by the UTF-16 code units
 * of their names, no insignificant whitespace, strings and numbers as ECMAScript `JSON.stringify`
 * writes them (which is what JCS prescribes). `undefined` members are dropped, as in JSON.
 * Non-finite numbers have no JSON form and are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  const kind = typeof value;
  switch (kind) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('Non-finite numbers have no JSON form');
      return JSON.stringify(value);
    case 'string':
      return quotedString(value as string);
    case 'object': {
      let text: string;
      if (Array.isArray(value)) {
        text = '[';
        for (let i = 0; i < value.length; i += 1) {
          const item: unknown = value[i];
          if (i > 0) text += ',';
          text += item === undefined ? 'null' : canonicalJson(item);
        }
        return `${text}]`;
      }
      const record = value as Record<string, unknown>;
      const names = Object.keys(record);
      // The default sort compares UTF-16 code units: the JCS order.
      if (names.length > 1) names.sort();
      text = '{';
      for (const name of names) {
        const member = record[name];
        if (member === undefined) continue;
        text += `${text.length > 1 ? ',' : ''}${quotedName(name)}:${canonicalJson(member)}`;
      }
      return `${text}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`A ${typeof value} has no JSON form`);
  }
}

/**
 * The characters `JSON.stringify` escapes in a string: the quote, the backslash, the C0 controls
 * and surrogates (it escapes a lone one; a string holding any is left to it).
 */
// eslint-disable-next-line no-control-regex -- the controls are exactly what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as `JSON.stringify` writes it. Most strings of an event (codes, identifiers, instants)
 * have nothing to escape: those are quoted as they are, without a call into JSON.stringify.
 */
function quotedString(value: string): string {
  return ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * Member names as JSON strings. Every event is hashed when appended and again at each
 * verification, and events repeat the same few dozen FHIR names: each is quoted once. Bounded in
 * count and length, so names sent by a client cannot grow it without limit.
 */
const QUOTED_NAMES = new Map<string, string>();
const MAX_QUOTED_NAMES = 1024;
const MAX_QUOTED_NAME_LENGTH = 64;

function quotedName(name: string): string {
  let quoted = QUOTED_NAMES.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (QUOTED_NAMES.size < MAX_QUOTED_NAMES && name.length <= MAX_QUOTED_NAME_LENGTH) {
      QUOTED_NAMES.set(name, quoted);
    }
  }
  return quoted;
}
