import type { Resource } from 'fhir/r4';
import type { SearchParameterDefinition } from '@dmp/fhir';
import { dateRange } from './date-range';
import { compileExpression, type Evaluate, type TypedValue } from './evaluator';
import type { IndexEntry } from './index-entry';
import {
  fold,
  referenceIdentifier,
  toDateRange,
  toReference,
  toStrings,
  toTokens,
  type TokenPair,
} from './normalize';

/** Search parameter definitions by resource type (e.g. `SEARCH_PARAMETERS` from `@dmp/fhir`). */
export type SearchParameterSet = Readonly<Record<string, readonly SearchParameterDefinition[]>>;

export interface Indexer {
  /** Normalized index entries of a resource (`_id` and `_lastUpdated` included). */
  extract(resource: Resource): IndexEntry[];
  /** The definition of `code` (or an alias) on `resourceType`. */
  parameter(resourceType: string, code: string): SearchParameterDefinition | undefined;
  /** Token parameters of the type whose values are Identifiers (for `findByIdentifier`). */
  identifierParameters(resourceType: string): readonly string[];
}

interface CompiledParameter {
  definition: SearchParameterDefinition;
  evaluate: Evaluate;
  chains: Map<string, CompiledParameter[]>;
}

interface CompiledType {
  parameters: CompiledParameter[];
  byCode: Map<string, SearchParameterDefinition>;
  identifierParameters: string[];
}

const COMMON = new Set(['_id', '_lastUpdated']);
const IDENTIFIER_PATH = /(?:^|\.)(?:identifier|masterIdentifier)$|ofType\(Identifier\)\)?$/;

/**
 * Compiles every expression once; `extract` then only walks the resource. Reference parameters
 * also yield chain values: for a contained target (`#id`) the declared chain parameters of its
 * type (`author.family`), and for a logical reference its identifier (`patient.identifier`).
 */
export function createIndexer(definitions: SearchParameterSet): Indexer {
  const types = new Map<string, CompiledType>();
  for (const [resourceType, defs] of Object.entries(definitions)) {
    types.set(resourceType, compileType(defs));
  }
  return {
    extract(resource) {
      const out: IndexEntry[] = [];
      if (resource.id !== undefined) {
        out.push({ param: '_id', kind: 'token', system: null, code: resource.id });
      }
      const updated = resource.meta?.lastUpdated;
      const range = updated === undefined ? undefined : dateRange(updated);
      if (range) out.push({ param: '_lastUpdated', kind: 'date', ...range });
      const compiled = types.get(resource.resourceType);
      if (!compiled) return out;
      for (const parameter of compiled.parameters) {
        extractParameter(parameter, resource, resource, parameter.definition.code, out);
      }
      return out;
    },
    parameter(resourceType, code) {
      return types.get(resourceType)?.byCode.get(code);
    },
    identifierParameters(resourceType) {
      return types.get(resourceType)?.identifierParameters ?? [];
    },
  };
}

function compileType(defs: readonly SearchParameterDefinition[]): CompiledType {
  const compiled: CompiledType = { parameters: [], byCode: new Map(), identifierParameters: [] };
  for (const definition of defs) {
    compiled.byCode.set(definition.code, definition);
    for (const alias of definition.aliases ?? []) compiled.byCode.set(alias, definition);
    // Internal keys (e.g. the patient's INS on a subject) are not the resource's own identifiers.
    const ownIdentifier = definition.internal !== true;
    if (
      ownIdentifier &&
      definition.type === 'token' &&
      IDENTIFIER_PATH.test(definition.expression.trim())
    ) {
      compiled.identifierParameters.push(definition.code);
    }
    if (COMMON.has(definition.code)) continue;
    compiled.parameters.push(compileParameter(definition));
  }
  return compiled;
}

function compileParameter(definition: SearchParameterDefinition): CompiledParameter {
  const chains = new Map<string, CompiledParameter[]>();
  for (const [targetType, defs] of Object.entries(definition.chains ?? {})) {
    chains.set(targetType, defs.filter((d) => d.type !== 'reference').map(compileParameter));
  }
  return { definition, evaluate: compileExpression(definition.expression), chains };
}

function extractParameter(
  parameter: CompiledParameter,
  node: object,
  root: Resource,
  param: string,
  out: IndexEntry[],
): void {
  const values = parameter.evaluate(node);
  if (values.length === 0) return;
  switch (parameter.definition.type) {
    case 'token': {
      const pairs: TokenPair[] = [];
      for (const value of values) toTokens(value, pairs);
      pushTokens(param, pairs, out);
      return;
    }
    case 'string': {
      const strings: string[] = [];
      for (const value of values) toStrings(value, strings);
      for (const exact of new Set(strings)) {
        out.push({ param, kind: 'string', folded: fold(exact), exact });
      }
      return;
    }
    case 'date':
      for (const value of values) {
        const range = toDateRange(value);
        if (range) out.push({ param, kind: 'date', ...range });
      }
      return;
    case 'reference':
      extractReferences(parameter, values, root, param, out);
      return;
    case 'uri':
      for (const value of values) {
        if (typeof value.value === 'string') out.push({ param, kind: 'uri', value: value.value });
      }
      return;
  }
}

function pushTokens(param: string, pairs: TokenPair[], out: IndexEntry[]): void {
  const seen = new Set<string>();
  for (const pair of pairs) {
    const key = `${pair.system ?? ''}|${pair.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ param, kind: 'token', system: pair.system, code: pair.code });
  }
}

function extractReferences(
  parameter: CompiledParameter,
  values: TypedValue[],
  root: Resource,
  param: string,
  out: IndexEntry[],
): void {
  const identifiers: TokenPair[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const ref = toReference(value);
    if (ref !== undefined && !seen.has(ref)) {
      seen.add(ref);
      out.push({ param, kind: 'reference', ref });
      if (ref.startsWith('#')) extractContainedChains(parameter, ref.slice(1), root, param, out);
    }
    const identifier = referenceIdentifier(value);
    if (identifier) identifiers.push(identifier);
  }
  pushTokens(`${param}.identifier`, identifiers, out);
}

function extractContainedChains(
  parameter: CompiledParameter,
  containedId: string,
  root: Resource,
  param: string,
  out: IndexEntry[],
): void {
  if (parameter.chains.size === 0 || !('contained' in root) || !Array.isArray(root.contained)) {
    return;
  }
  const target = (root.contained as Resource[]).find((c) => c.id === containedId);
  if (!target) return;
  for (const chain of parameter.chains.get(target.resourceType) ?? []) {
    extractParameter(chain, target, root, `${param}.${chain.definition.code}`, out);
  }
}
