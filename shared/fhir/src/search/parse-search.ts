import { FhirError, fhirError } from '@dmp/errors';
import { searchParametersFor } from './parameters';
import {
  CONTROL_PARAMETERS,
  parseCount,
  parseSort,
  parseSummary,
  parseTotal,
} from './parse-controls';
import { parseFilter } from './parse-filter';
import type { SearchInput } from './search-input';
import { toRawParameters } from './search-input';
import type { SearchParameterDefinition } from './search-parameter';
import type { SearchFilter, SearchQuery } from './search-query';

export interface ParseSearchOptions {
  /** The parameters of the resource type; defaults to the registry's {@link searchParametersFor}. */
  parameters?: readonly SearchParameterDefinition[];
  /** `Prefer: handling=lenient`: unknown parameters and modifiers are ignored instead of a 400. */
  lenient?: boolean;
  /** Largest `_count` accepted (default 100); more is a 400 DMP-SEARCH-COUNT-TOO-LARGE. */
  maxCount?: number;
  /** Page size without `_count` (default 20). */
  defaultCount?: number;
  /** This server's base URL, so that `[base]/Type/id` reference values also yield the id. */
  baseUrl?: string;
}

export interface ParsedSearch {
  query: SearchQuery;
  /** Parameter names (as sent) ignored under lenient handling; for `Bundle.link[self]`/outcome. */
  ignored: string[];
}

export const DEFAULT_MAX_COUNT = 100;
export const DEFAULT_COUNT = 20;

/** Codes a lenient search ignores instead of answering 400. */
const IGNORABLE = new Set(['DMP-SEARCH-UNKNOWN-PARAMETER', 'DMP-SEARCH-UNSUPPORTED-MODIFIER']);

/**
 * Parses a FHIR search (GET query or POST `_search` form) into the database-neutral
 * {@link SearchQuery}. Throws a {@link FhirError} (400) on the first problem found.
 * `_format` is left to the HTTP layer.
 */
export function parseSearch(
  resourceType: string,
  input: SearchInput,
  options: ParseSearchOptions = {},
): ParsedSearch {
  const parameters = options.parameters ?? searchParametersFor(resourceType);
  const maxCount = options.maxCount ?? DEFAULT_MAX_COUNT;
  const query: SearchQuery = {
    resourceType,
    filters: [],
    sort: [],
    count: Math.min(options.defaultCount ?? DEFAULT_COUNT, maxCount),
    total: 'none',
    summaryCount: false,
  };
  const ignored: string[] = [];
  const seenControls = new Set<string>();

  for (const { name, value } of toRawParameters(input)) {
    if (name === '_format') continue;
    try {
      if (CONTROL_PARAMETERS.includes(name)) {
        if (seenControls.has(name)) {
          throw fhirError('DMP-SEARCH-INVALID-VALUE', `'${name}' may appear only once`, name);
        }
        seenControls.add(name);
        applyControl(query, name, value, parameters, maxCount);
      } else {
        const filter: SearchFilter = parseFilter(name, value, {
          parameters,
          baseUrl: options.baseUrl,
        });
        query.filters.push(filter);
      }
    } catch (error) {
      if (!(options.lenient && error instanceof FhirError && IGNORABLE.has(error.code)))
        throw error;
      if (!ignored.includes(name)) ignored.push(name);
    }
  }
  return { query, ignored };
}

function applyControl(
  query: SearchQuery,
  name: string,
  value: string,
  parameters: readonly SearchParameterDefinition[],
  maxCount: number,
): void {
  switch (name) {
    case '_count':
      query.count = parseCount(value, maxCount);
      return;
    case '_sort':
      query.sort = parseSort(value, parameters);
      return;
    case '_total':
      query.total = parseTotal(value);
      return;
    case '_summary':
      query.summaryCount = parseSummary(value);
      return;
    case '_cursor':
      if (value.length === 0) throw fhirError('DMP-SEARCH-INVALID-VALUE', 'Empty _cursor', name);
      query.cursor = value;
      return;
    default:
      return;
  }
}
