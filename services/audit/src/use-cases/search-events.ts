import type { AuditEvent, Bundle, OperationOutcome } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { buildSearchsetBundle, parseSearch, type SearchPage } from '@dmp/fhir';
import { isVisibleTo, readScopeOf, scopeFilters } from '../domain/access-scope';
import { recordAuditRead, type AuditContext, type CallContext } from './context';

/**
 * ITI-81 Retrieve ATNA Audit Event (GET or POST `_search`): the caller's read scope is ANDed
 * into the query (auditor: all; patient: about themself and own answered actions; professional:
 * own answered actions; else 403),
 * the read is recorded, then the searchset is answered with an absolute `next` link.
 */
export async function searchEvents(
  ctx: AuditContext,
  call: CallContext,
  params: URLSearchParams,
): Promise<Bundle> {
  const scope = readScopeOf(call.actor);
  const { query, ignored } = parseSearch('AuditEvent', params, {
    lenient: call.lenient,
    maxCount: ctx.maxCount,
    baseUrl: call.baseUrl,
  });
  query.filters.push(...scopeFilters(scope));
  const page = await ctx.log.search(query);
  await recordAuditRead(ctx, call, 'search-type', params.toString());
  return searchsetOf(call, 'AuditEvent', params, page, ignored);
}

/** One event by id; an event outside the caller's scope is answered as unknown (404). */
export async function readEvent(
  ctx: AuditContext,
  call: CallContext,
  id: string,
): Promise<AuditEvent> {
  const scope = readScopeOf(call.actor);
  const event = await ctx.log.read(id);
  await recordAuditRead(ctx, call, 'read', `_id=${encodeURIComponent(id)}`);
  if (!event || !isVisibleTo(scope, event)) {
    throw fhirError('DMP-RESOURCE-NOT-FOUND', `AuditEvent/${id} is not known`);
  }
  return event;
}

/** A searchset with `self` and, when there is more, `next` (the store's cursor as `_cursor`). */
export function searchsetOf(
  call: CallContext,
  path: string,
  params: URLSearchParams,
  page: SearchPage<AuditEvent>,
  ignored: string[] = [],
): Bundle {
  const kept = new URLSearchParams([...params].filter(([name]) => name !== '_cursor'));
  const prefix = `${call.baseUrl}/${path}?${kept.toString()}${kept.size > 0 ? '&' : ''}`;
  const outcome: OperationOutcome | undefined =
    ignored.length > 0
      ? {
          resourceType: 'OperationOutcome',
          issue: [
            {
              severity: 'warning',
              code: 'not-supported',
              diagnostics: `Ignored search parameters: ${ignored.join(', ')}`,
              expression: ignored,
            },
          ],
        }
      : undefined;
  return buildSearchsetBundle({
    resources: page.resources,
    fullUrlOf: (event) => `${call.baseUrl}/AuditEvent/${event.id ?? ''}`,
    ...(page.total !== undefined ? { total: page.total } : {}),
    links: {
      self: `${call.baseUrl}/${path}?${params.toString()}`,
      ...(page.nextCursor
        ? { next: `${prefix}_cursor=${encodeURIComponent(page.nextCursor)}` }
        : {}),
    },
    ...(outcome ? { outcome } : {}),
  });
}
