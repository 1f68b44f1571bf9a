import { fhirError } from '@dmp/errors';
import { findSearchParameter } from './parameters';
import type { SearchParameterDefinition } from './search-parameter';
import type { SortKey, TotalMode } from './search-query';

/** Parameters that shape the result rather than filter it. */
export const CONTROL_PARAMETERS = ['_count', '_sort', '_total', '_summary', '_cursor', '_format'];

/** `_count`: a non-negative integer no larger than `maxCount`. */
export function parseCount(value: string, maxCount: number): number {
  if (!/^\d+$/.test(value)) {
    throw fhirError('DMP-SEARCH-INVALID-VALUE', '_count must be a non-negative integer', '_count');
  }
  const count = Number(value);
  if (count > maxCount) {
    throw fhirError(
      'DMP-SEARCH-COUNT-TOO-LARGE',
      `_count must not exceed ${String(maxCount)}`,
      '_count',
    );
  }
  return count;
}

/** `_sort=a,-b`: sortable parameters only (by code or alias), each once. */
export function parseSort(
  value: string,
  parameters: readonly SearchParameterDefinition[],
): SortKey[] {
  const keys: SortKey[] = [];
  for (const item of value.split(',')) {
    const descending = item.startsWith('-');
    const name = descending ? item.slice(1) : item;
    const definition = findSearchParameter(parameters, name);
    if (!definition?.sortable) {
      throw fhirError('DMP-SEARCH-INVALID-SORT', `Cannot sort on '${name}'`, '_sort');
    }
    if (keys.some((key) => key.param === definition.code)) {
      throw fhirError('DMP-SEARCH-INVALID-SORT', `'${name}' appears twice in _sort`, '_sort');
    }
    keys.push({ param: definition.code, descending });
  }
  return keys;
}

export function parseTotal(value: string): TotalMode {
  if (value === 'none' || value === 'estimate' || value === 'accurate') return value;
  throw fhirError(
    'DMP-SEARCH-INVALID-VALUE',
    '_total must be none, estimate or accurate',
    '_total',
  );
}

/**
 * `_summary`: `count` asks for the total only; `false` is the default and changes nothing. The
 * other FHIR values (`true`, `text`, `data`) are valid but not supported here.
 */
export function parseSummary(value: string): boolean {
  if (value === 'count') return true;
  if (value === 'false') return false;
  if (value === 'true' || value === 'text' || value === 'data') {
    throw fhirError(
      'DMP-SEARCH-UNKNOWN-PARAMETER',
      `_summary=${value} is not supported; only _summary=count is`,
      '_summary',
    );
  }
  throw fhirError(
    'DMP-SEARCH-INVALID-VALUE',
    '_summary must be true, text, data, count or false',
    '_summary',
  );
}
