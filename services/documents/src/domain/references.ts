/**
 * Rewrites every `reference` whose value is a key of `map` (bundle `urn:uuid:` fullUrls) to the
 * stored `Type/id`, anywhere in the resource. Returns a new object; the input is not changed.
 */
export function rewriteReferences<T>(resource: T, map: ReadonlyMap<string, string>): T {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      result[key] =
        key === 'reference' && typeof child === 'string' ? (map.get(child) ?? child) : walk(child);
    }
    return result;
  };
  return walk(resource) as T;
}
