import { fhirError } from '@dmp/errors';
import type { SearchParameterDefinition } from './search-parameter';
import { splitUnescaped, unescapeValue } from './search-input';
import type { ReferenceValue, TokenValue } from './search-query';
import { foldString } from './search-query';

/** FHIR `id` datatype. */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
/** A resource type name as used in references and `:Type` modifiers. */
export const RESOURCE_TYPE_PATTERN = /^[A-Z][A-Za-z]+$/;

function invalid(name: string, why: string): never {
  throw fhirError('DMP-SEARCH-INVALID-VALUE', `Parameter '${name}' ${why}`, name);
}

/**
 * One token value, still escaped: `system|code`, `|code` (no system), `code` (any system),
 * `system|` (any code of that system). For `_id` the whole value is the id.
 */
export function parseTokenValue(name: string, code: string, raw: string): TokenValue {
  if (code === '_id') {
    const id = unescapeValue(raw);
    if (!ID_PATTERN.test(id)) invalid(name, 'is not a valid resource id');
    return { code: id };
  }
  const parts = splitUnescaped(raw, '|').map(unescapeValue);
  const [first, second] = parts;
  if (parts.length === 1 && first !== undefined) return { code: first };
  if (parts.length !== 2 || first === undefined || second === undefined) {
    return invalid(name, 'has more than one unescaped | in a token');
  }
  if (first === '' && second === '') invalid(name, 'has neither a system nor a code');
  if (first === '') return { system: null, code: second };
  if (second === '') return { system: first };
  return { system: first, code: second };
}

/** A string value: folded for starts-with and contains, as given for `:exact`. */
export function parseStringValue(name: string, raw: string, exact: boolean): string {
  const value = exact ? raw : foldString(raw);
  if (value.length === 0) invalid(name, 'has an empty value');
  return value;
}

export interface ReferenceContext {
  definition: SearchParameterDefinition;
  /** From a `:Type` modifier. */
  typeModifier?: string;
  /** This server's base URL; `[base]/Type/id` values then also yield the id. */
  baseUrl?: string;
}

/**
 * A reference value: `Type/id`, a bare `id` (typed by the `:Type` modifier or the only target
 * type), or an absolute URL / urn, which is kept as `url` (plus type and id when it is
 * `[base]/Type/id` on this server).
 */
export function parseReferenceValue(
  name: string,
  raw: string,
  context: ReferenceContext,
): ReferenceValue {
  const value = unescapeValue(raw);
  const targets = context.definition.targets ?? [];
  let result: ReferenceValue;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    result = parseAbsolute(name, value, context.baseUrl);
  } else if (value.includes('/')) {
    const [type, id, ...rest] = value.split('/');
    if (
      rest.length > 0 ||
      !type ||
      !id ||
      !RESOURCE_TYPE_PATTERN.test(type) ||
      !ID_PATTERN.test(id)
    ) {
      return invalid(name, 'is not a Type/id reference');
    }
    result = { type, id };
  } else {
    if (!ID_PATTERN.test(value)) invalid(name, 'is not a valid resource id');
    const type = context.typeModifier ?? (targets.length === 1 ? targets[0] : undefined);
    result = type === undefined ? { id: value } : { type, id: value };
  }
  if (context.typeModifier !== undefined && result.type !== undefined) {
    if (result.type !== context.typeModifier) invalid(name, 'names a type other than its modifier');
  }
  if (result.type !== undefined && targets.length > 0 && !targets.includes(result.type)) {
    invalid(name, `cannot point to a ${result.type}`);
  }
  return result;
}

function parseAbsolute(name: string, url: string, baseUrl: string | undefined): ReferenceValue {
  if (!/^(https?:\/\/[^/\s]+.*|urn:(uuid|oid):\S+)$/i.test(url) || /\s/.test(url)) {
    return invalid(name, 'is not an absolute http(s) URL or urn');
  }
  const tail = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(url);
  if (!tail?.[1] || !tail[2]) return { url };
  const base = baseUrl?.replace(/\/+$/, '');
  const local = base !== undefined && url === `${base}/${tail[1]}/${tail[2]}`;
  return local ? { type: tail[1], id: tail[2], url } : { type: tail[1], url };
}
