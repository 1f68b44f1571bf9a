import type { Bundle, FhirResource } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { buildSearchsetBundle, parseSearch, type SearchFilter, type SearchQuery } from '@dmp/fhir';
import { presentDocument } from '../domain/binary-link';
import type { CallContext, DocumentsContext } from './context';

export type SearchableType = 'DocumentReference' | 'List';

const TRANSACTION = { DocumentReference: 'ITI-67', List: 'ITI-66' } as const;

/** MHD: `status` is required (strict, SPEC A.11); the patient is the enforcement point's. */
function requireStatus(query: SearchQuery): void {
  if (!query.filters.some((filter) => 'param' in filter && filter.param === 'status')) {
    throw fhirError(
      'DMP-MHD-SEARCH-PARAMETER-REQUIRED',
      'Missing search parameter: status',
      'status',
    );
  }
}

/** `_count` beyond the maximum is capped (FHIR lets a server return fewer), not refused. */
function capCount(params: URLSearchParams, max: number): URLSearchParams {
  const copy = new URLSearchParams(params);
  const count = copy.get('_count');
  if (count !== null && /^\d+$/.test(count) && Number(count) > max) copy.set('_count', String(max));
  return copy;
}

const NOT_ARCHIVED: SearchFilter = {
  kind: 'token',
  param: 'isArchived',
  negate: true,
  anyOf: [{ code: 'true' }],
};

/**
 * ITI-67 Find Document References / ITI-66 Find Document Lists (GET or POST `_search`): parsed
 * once, `status` required, PDSm archived documents hidden unless `isArchived` is asked, then run
 * by the enforcement point on the one patient the query names; `total` always; absolute `next`
 * links.
 */
export async function findResources(
  ctx: DocumentsContext,
  call: CallContext,
  resourceType: SearchableType,
  input: URLSearchParams,
  lenient: boolean,
): Promise<Bundle> {
  const params = capCount(input, ctx.maxPageSize);
  const { query, ignored } = parseSearch(resourceType, params, {
    lenient,
    maxCount: ctx.maxPageSize,
    baseUrl: call.baseUrl,
  });
  requireStatus(query);
  if (!query.filters.some((filter) => 'param' in filter && filter.param === 'isArchived'))
    query.filters.push(NOT_ARCHIVED);
  // MHD (Find Document References / Lists responses) and PDSm make `total` 1..1: always counted,
  // whatever `_total` says (FHIR lets a server give it anyway). The enforcement point counts
  // after the decision's predicates, so the total says nothing the caller may not see.
  const page = await ctx.access.search<FhirResource>(
    call,
    { ...query, total: 'accurate' },
    TRANSACTION[resourceType],
  );

  const kept = new URLSearchParams([...params].filter(([name]) => name !== '_cursor'));
  const selfUrl = `${call.baseUrl}/${resourceType}?${params.toString()}`;
  const nextUrl = page.nextCursor
    ? `${call.baseUrl}/${resourceType}?${kept.toString()}${kept.size > 0 ? '&' : ''}_cursor=${encodeURIComponent(page.nextCursor)}`
    : undefined;
  const resources = page.resources.map((resource) =>
    resource.resourceType === 'DocumentReference'
      ? presentDocument(resource, call.baseUrl)
      : resource,
  );
  return buildSearchsetBundle({
    resources,
    fullUrlOf: (resource) => `${call.baseUrl}/${resource.resourceType}/${resource.id ?? ''}`,
    ...(page.total !== undefined ? { total: page.total } : {}),
    links: { self: selfUrl, ...(nextUrl ? { next: nextUrl } : {}) },
    ...(ignored.length > 0
      ? {
          outcome: {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'warning',
                code: 'not-supported',
                diagnostics: `Ignored search parameters: ${ignored.join(', ')}`,
                expression: ignored,
              },
            ],
          },
        }
      : {}),
  });
}
