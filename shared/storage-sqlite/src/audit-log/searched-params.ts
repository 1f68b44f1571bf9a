import type { SearchParameterDefinition } from '@dmp/fhir';

/**
 * The index params an AuditEvent search can read: each parameter's code (`_id` excepted: it is
 * the event row's own column) and, for a reference parameter that declares chains, each chained
 * `<code>.<target code>`. The indexer writes more, e.g. `entity.identifier` for every logical
 * `entity` reference, but `entity` declares no chain (`entity.identifier` is the `entity-id`
 * alias), so no query could ever match those rows: the log does not pay for storing them.
 */
export function searchedParams(definitions: readonly SearchParameterDefinition[]): Set<string> {
  const params = new Set<string>();
  for (const definition of definitions) {
    if (definition.code !== '_id') params.add(definition.code);
    for (const targets of Object.values(definition.chains ?? {})) {
      for (const target of targets) params.add(`${definition.code}.${target.code}`);
    }
  }
  return params;
}
