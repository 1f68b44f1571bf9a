import type { ChainFilter, SearchQuery } from '@dmp/fhir';
import {
  chainIndexedMatch,
  renderChainLookups,
  type MongoFilter,
  type RenderContext,
} from './render-filter';

/**
 * Chains whose targets are too many to list in one `$in` (the 16 MiB command limit, and a plan
 * that degrades long before it) are joined on the server instead: each candidate resource's
 * references of the chained parameter become target ids, a `$lookup` (by `_id`, then the target
 * filter) keeps those that match, and the chain holds when its indexed values match or a target
 * was found. The candidates are first narrowed by the query's other filters (`$match` before).
 */

/** Most target ids a chain lookup lists in an `$in`; beyond, the chain is joined. */
export const CHAIN_IN_LIMIT = 10_000;

const field = (index: number): string => `_chain${index}`;
const MAX_ID_LENGTH = 1024;

export interface ChainJoin {
  /** `$addFields` + `$lookup` stages, to run after the first `$match`. */
  stages: MongoFilter[];
  /** The joined chains' conditions, as a `$match` after the stages. */
  match: MongoFilter;
}

export function renderChainJoin(
  query: SearchQuery,
  ctx: RenderContext,
  joined: readonly number[],
): ChainJoin {
  const lookups = new Map(renderChainLookups(query, ctx).map((l) => [l.index, l]));
  const stages: MongoFilter[] = [];
  const conditions: MongoFilter[] = [];
  for (const index of joined) {
    const filter = query.filters[index];
    const lookup = lookups.get(index);
    if (filter?.kind !== 'chain' || !lookup) continue;
    stages.push(targetIds(filter, index), {
      $lookup: {
        from: filter.targetType,
        localField: field(index),
        foreignField: '_id',
        let: { ids: `$${field(index)}` },
        pipeline: [
          { $match: { $expr: { $in: ['$_id', '$$ids'] } } },
          { $match: lookup.filter },
          { $project: { _id: 1 } },
        ],
        as: field(index),
      },
    });
    conditions.push({
      $or: [chainIndexedMatch(filter, ctx), { [`${field(index)}.0`]: { $exists: true } }],
    });
  }
  return { stages, match: conditions.length > 0 ? { $and: conditions } : {} };
}

/** `_chain<i>`: the ids of the chained parameter's references to the target type. */
function targetIds(filter: ChainFilter, index: number): MongoFilter {
  const prefix = `${filter.targetType}/`;
  return {
    $addFields: {
      [field(index)]: {
        $map: {
          input: {
            $filter: {
              input: { $ifNull: ['$idx', []] },
              as: 'e',
              cond: {
                $and: [
                  { $eq: ['$$e.p', filter.param] },
                  { $eq: [{ $substrCP: [{ $ifNull: ['$$e.r', ''] }, 0, prefix.length] }, prefix] },
                ],
              },
            },
          },
          as: 'e',
          in: { $substrCP: ['$$e.r', prefix.length, MAX_ID_LENGTH] },
        },
      },
    },
  };
}
