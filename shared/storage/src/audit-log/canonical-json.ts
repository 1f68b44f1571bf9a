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
      return JSON.stringify(value);
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
      // The default sort compares UTF-16 code units: the JCS order.
      const names = Object.keys(record).sort();
      text = '{';
      for (const name of names) {
        const member = record[name];
        if (member === undefined) continue;
        if (text.length > 1) text += ',';
        text += `${JSON.stringify(name)}:${canonicalJson(member)}`;
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
