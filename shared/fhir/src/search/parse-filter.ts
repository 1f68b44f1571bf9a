import { fhirError } from '@dmp/errors';
import { findSearchParameter } from './parameters';
import { parseDateValue } from './parse-date';
import {
  RESOURCE_TYPE_PATTERN,
  parseReferenceValue,
  parseStringValue,
  parseTokenValue,
} from './parse-values';
import { splitOrValues } from './search-input';
import type { SearchParameterDefinition } from './search-parameter';
import type { ChainFilter, SearchFilter } from './search-query';

/** Modifiers FHIR R4 defines: ours to refuse as unsupported rather than as unknown. */
const FHIR_MODIFIERS = new Set([
  'missing',
  'exact',
  'contains',
  'text',
  'not',
  'above',
  'below',
  'in',
  'not-in',
  'of-type',
  'identifier',
  'iterate',
]);

export interface FilterContext {
  parameters: readonly SearchParameterDefinition[];
  baseUrl?: string;
}

/**
 * Turns one `name=value` pair into a filter. `name` may carry a modifier (`family:exact`), a
 * chain (`patient.identifier`, `author.family:exact`) or a typed chain
 * (`source:Patient.given`). A full name that is a declared alias (`entity.identifier`) is a
 * plain parameter, not a chain.
 */
export function parseFilter(name: string, value: string, context: FilterContext): SearchFilter {
  const colon = name.indexOf(':');
  const base = colon < 0 ? name : name.slice(0, colon);
  const modifier = colon < 0 ? undefined : name.slice(colon + 1);
  const definition = findSearchParameter(context.parameters, base);
  if (definition) {
    if (modifier?.includes('.')) {
      const dot = modifier.indexOf('.');
      return parseChain(name, value, definition, modifier.slice(0, dot), modifier.slice(dot + 1));
    }
    return parseDirect(name, value, definition, modifier, context);
  }
  const dot = base.indexOf('.');
  if (dot > 0) {
    const head = findSearchParameter(context.parameters, base.slice(0, dot));
    const rest = name.slice(dot + 1);
    if (head) return parseChain(name, value, head, undefined, rest);
  }
  throw unknownParameter(name);
}

export function unknownParameter(name: string): Error {
  return fhirError('DMP-SEARCH-UNKNOWN-PARAMETER', `Unknown search parameter '${name}'`, name);
}

function badModifier(name: string, modifier: string): Error {
  if (FHIR_MODIFIERS.has(modifier) || RESOURCE_TYPE_PATTERN.test(modifier)) {
    return fhirError(
      'DMP-SEARCH-UNSUPPORTED-MODIFIER',
      `Modifier ':${modifier}' is not supported on '${name.split(':')[0] ?? name}'`,
      name,
    );
  }
  return unknownParameter(name);
}

function parseDirect(
  name: string,
  value: string,
  definition: SearchParameterDefinition,
  modifier: string | undefined,
  context: FilterContext,
): SearchFilter {
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') {
      throw fhirError('DMP-SEARCH-INVALID-VALUE', `':missing' takes true or false`, name);
    }
    return { kind: 'missing', param: definition.code, missing: value === 'true' };
  }
  if (definition.type === 'reference') {
    if (modifier !== undefined && !isAllowedTypeModifier(definition, modifier)) {
      throw badModifier(name, modifier);
    }
    const anyOf = splitOrValues(name, value, true).map((raw) =>
      parseReferenceValue(name, raw, {
        definition,
        typeModifier: modifier,
        baseUrl: context.baseUrl,
      }),
    );
    return { kind: 'reference', param: definition.code, anyOf };
  }
  return parseValueFilter(name, value, definition, modifier);
}

function isAllowedTypeModifier(definition: SearchParameterDefinition, modifier: string): boolean {
  if (!RESOURCE_TYPE_PATTERN.test(modifier)) return false;
  return definition.targets === undefined || definition.targets.includes(modifier);
}

/** Token, string, date and uri filters: the ones a chain may end with. */
function parseValueFilter(
  name: string,
  value: string,
  definition: SearchParameterDefinition,
  modifier: string | undefined,
): ChainFilter['target'] {
  const param = definition.code;
  switch (definition.type) {
    case 'token': {
      if (modifier !== undefined && modifier !== 'not') throw badModifier(name, modifier);
      const anyOf = splitOrValues(name, value, true).map((raw) =>
        parseTokenValue(name, param, raw),
      );
      return { kind: 'token', param, negate: modifier === 'not', anyOf };
    }
    case 'string': {
      if (modifier !== undefined && modifier !== 'exact' && modifier !== 'contains') {
        throw badModifier(name, modifier);
      }
      const match = modifier ?? 'starts-with';
      const anyOf = splitOrValues(name, value).map((raw) =>
        parseStringValue(name, raw, match === 'exact'),
      );
      return { kind: 'string', param, match, anyOf };
    }
    case 'date': {
      if (modifier !== undefined) throw badModifier(name, modifier);
      const anyOf = splitOrValues(name, value).map((raw) => parseDateValue(name, raw));
      return { kind: 'date', param, anyOf };
    }
    case 'uri': {
      if (modifier !== undefined && modifier !== 'below' && modifier !== 'above') {
        throw badModifier(name, modifier);
      }
      return { kind: 'uri', param, match: modifier ?? 'exact', anyOf: splitOrValues(name, value) };
    }
    case 'reference':
      // Chains end on a value parameter; reference-to-reference chains are not supported.
      throw unknownParameter(name);
  }
}

/**
 * `head[:Type].rest`: `rest` is a parameter of the target type, possibly with a modifier. Without
 * `:Type`, the first target type declared in `chains` is used (`author` → Practitioner).
 */
function parseChain(
  name: string,
  value: string,
  head: SearchParameterDefinition,
  explicitType: string | undefined,
  rest: string,
): ChainFilter {
  const chains = head.chains ?? {};
  const targetType = explicitType ?? Object.keys(chains)[0];
  const targets = targetType === undefined ? undefined : chains[targetType];
  if (targetType === undefined || !targets || rest.includes('.')) throw unknownParameter(name);
  const colon = rest.indexOf(':');
  const targetName = colon < 0 ? rest : rest.slice(0, colon);
  const modifier = colon < 0 ? undefined : rest.slice(colon + 1);
  const target = findSearchParameter(targets, targetName);
  if (!target) throw unknownParameter(name);
  if (modifier === 'missing') throw badModifier(name, modifier);
  return {
    kind: 'chain',
    param: head.code,
    targetType,
    target: parseValueFilter(name, value, target, modifier),
  };
}
