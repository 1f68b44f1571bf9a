import { fhirError } from '@dmp/errors';

/**
 * Input limits every route enforces before any service code runs, so that a hostile request is
 * a 400 and never a stack overflow, a database error or a runaway query. Each is a setting
 * (`MAX_JSON_DEPTH`, `SEARCH_MAX_PARAMETERS`, `SEARCH_MAX_VALUES`).
 */
export interface RequestLimits {
  /** Deepest nesting of objects and arrays accepted in a JSON body. */
  jsonDepth: number;
  /** Most search parameters (query string plus `_search` form) in one request. */
  searchParameters: number;
  /** Most comma-separated alternatives in one search parameter value. */
  searchValues: number;
}

/** FHIR resources nest about 15 levels at most (the official examples); 64 leaves room. */
export const DEFAULT_LIMITS: RequestLimits = {
  jsonDepth: 64,
  searchParameters: 50,
  searchValues: 100,
};

/**
 * Throws 400 `DMP-HTTP-JSON-TOO-DEEP` when `body` nests deeper than `maxDepth`. Iterative, so a
 * hostile body cannot exhaust the stack here either; visits each node once.
 */
export function assertJsonDepth(body: unknown, maxDepth: number): void {
  const stack: { value: unknown; depth: number }[] = [{ value: body, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) {
      throw fhirError(
        'DMP-HTTP-JSON-TOO-DEEP',
        `The request body nests deeper than ${String(maxDepth)} levels`,
      );
    }
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, depth: depth + 1 });
    }
  }
}

/** Values separated by unescaped commas (FHIR escapes a literal comma as `\,`). */
function alternatives(value: string): number {
  let count = 1;
  for (let i = 0; i < value.length; i += 1) {
    if (value[i] === '\\') i += 1;
    else if (value[i] === ',') count += 1;
  }
  return count;
}

/** Throws 400 when a search has too many parameters, or a parameter too many alternatives. */
export function assertSearchSize(params: URLSearchParams, limits: RequestLimits): void {
  let parameters = 0;
  for (const [name, value] of params) {
    parameters += 1;
    if (parameters > limits.searchParameters) {
      throw fhirError(
        'DMP-SEARCH-TOO-MANY-PARAMETERS',
        `At most ${String(limits.searchParameters)} search parameters per request`,
      );
    }
    if (alternatives(value) > limits.searchValues) {
      throw fhirError(
        'DMP-SEARCH-TOO-MANY-VALUES',
        `At most ${String(limits.searchValues)} comma-separated values per parameter`,
        name,
      );
    }
  }
}
