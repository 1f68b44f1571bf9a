import { RESOURCE_INDEXES } from '../collections';
import type { MongoFilter } from './render-filter';

/**
 * Static check that a rendered filter only matches index entries through the multikey indexes:
 * every `idx` `$elemMatch` names its parameter (`p` equality) and each of its alternatives only
 * uses value fields of one `(idx.p, …)` index. Returns the problems found (empty when covered).
 */
export function uncoveredEntryMatches(filter: unknown): string[] {
  const problems: string[] = [];
  visit(filter, problems);
  return problems;
}

const INDEX_FIELDS: string[][] = RESOURCE_INDEXES.map((index) => Object.keys(index.key))
  .filter((keys) => keys[0] === 'idx.p')
  .map((keys) => keys.slice(1).map((k) => k.slice('idx.'.length)));

function visit(node: unknown, problems: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item) => visit(item, problems));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node as MongoFilter)) {
    if (key === 'idx') checkEntryMatch(value, problems);
    else visit(value, problems);
  }
}

function checkEntryMatch(value: unknown, problems: string[]): void {
  const match = (value as { $elemMatch?: MongoFilter }).$elemMatch;
  if (!match) {
    problems.push(`idx matched without $elemMatch: ${JSON.stringify(value)}`);
    return;
  }
  if (typeof match.p !== 'string')
    problems.push(`$elemMatch without a parameter: ${JSON.stringify(match)}`);
  for (const fields of alternatives(match)) {
    if (fields.length === 0) continue;
    if (!INDEX_FIELDS.some((index) => fields.every((f) => index.includes(f)))) {
      problems.push(`no index serves fields ${fields.join(', ')}`);
    }
  }
}

/** The value fields of each alternative of an entry match (`$or` branches, `$nor` bodies). */
function alternatives(match: MongoFilter): string[][] {
  const own = Object.keys(match).filter((k) => k !== 'p' && !k.startsWith('$'));
  const nested = ['$or', '$nor'].flatMap((op) => {
    const branches = match[op];
    return Array.isArray(branches)
      ? branches.flatMap((b) => alternatives(b as MongoFilter).map((f) => [...own, ...f]))
      : [];
  });
  return nested.length > 0 ? nested : [own];
}
