import { sanitizeAuditEvent } from '@dmp/audit-trail';
import type { AuditEvent, Bundle, Parameters, ParametersParameter } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { parseSearch, type SearchQuery } from '@dmp/fhir';
import { isBreakGlass } from '../domain/access-how';
import { buildBreakGlassReview } from '../domain/audit-of-audit';
import {
  ACCESS_MODE_SYSTEM,
  ACT_REASON,
  BREAK_GLASS_REVIEW,
  DMP_AUDIT_SUBTYPE,
} from '../domain/vocabulary';
import { recordAuditRead, type AuditContext, type CallContext } from './context';
import { searchsetOf } from './search-events';

const BREAK_GLASS = `${ACT_REASON}|BTG,${ACCESS_MODE_SYSTEM}|bris_de_glace`;

function requireAuditor(call: CallContext): void {
  if (call.actor.kind !== 'auditor') {
    throw fhirError('DMP-AUDIT-ACCESS-DENIED', 'Break-glass review is for auditors');
  }
}

/** Ids of every break-glass event an auditor already reviewed (read page by page). */
async function reviewedIds(ctx: AuditContext): Promise<Set<string>> {
  const reviewed = new Set<string>();
  const { query } = parseSearch(
    'AuditEvent',
    new URLSearchParams({
      subtype: `${DMP_AUDIT_SUBTYPE}|${BREAK_GLASS_REVIEW}`,
      _count: String(ctx.maxCount),
    }),
    { maxCount: ctx.maxCount },
  );
  let cursor: string | undefined;
  do {
    const page = await ctx.log.search({ ...query, ...(cursor ? { cursor } : {}) });
    for (const event of page.resources) {
      for (const entity of event.entity ?? []) {
        const ref = entity.what?.reference;
        if (ref?.startsWith('AuditEvent/')) reviewed.add(ref.slice('AuditEvent/'.length));
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return reviewed;
}

/**
 * Break-glass accesses not yet reviewed, newest first, optionally within `date` bounds. Pages are
 * whole pages of the underlying search (so `next` never skips one), minus the reviewed events.
 */
export async function listUnreviewedBreakGlass(
  ctx: AuditContext,
  call: CallContext,
  params: URLSearchParams,
): Promise<Bundle> {
  requireAuditor(call);
  const input = new URLSearchParams(params);
  input.set('purpose-of-use', BREAK_GLASS);
  const { query } = parseSearch('AuditEvent', input, { maxCount: ctx.maxCount });
  const reviewed = await reviewedIds(ctx);
  const wanted = query.count;
  const found: AuditEvent[] = [];
  let page = await ctx.log.search(query);
  for (;;) {
    found.push(...page.resources.filter((e) => e.id !== undefined && !reviewed.has(e.id)));
    if (found.length >= wanted || !page.nextCursor) break;
    const next: SearchQuery = { ...query, cursor: page.nextCursor };
    page = await ctx.log.search(next);
  }
  await recordAuditRead(ctx, call, '$break-glass-review', params.toString());
  return searchsetOf(call, 'AuditEvent/$break-glass-review', params, { ...page, resources: found });
}

/**
 * Records an auditor's review of break-glass events as a new appended event (subtype
 * `break-glass-review`, one entity per reviewed event); nothing is modified.
 */
export async function recordBreakGlassReview(
  ctx: AuditContext,
  call: CallContext,
  body: unknown,
): Promise<AuditEvent> {
  requireAuditor(call);
  const parameters = body as Partial<Parameters> | null;
  if (parameters?.resourceType !== 'Parameters') {
    throw fhirError(
      'DMP-AUDIT-PARAMETER-INVALID',
      'The body must be a Parameters resource',
      'Parameters',
    );
  }
  const ids: string[] = [];
  let comment: string | undefined;
  const list: unknown = parameters.parameter ?? [];
  if (!Array.isArray(list)) {
    throw fhirError(
      'DMP-AUDIT-PARAMETER-INVALID',
      'parameter must be an array',
      'Parameters.parameter',
    );
  }
  for (const [index, item] of list.entries()) {
    const p = (typeof item === 'object' && item !== null ? item : {}) as ParametersParameter;
    if (p.name === 'comment' && typeof p.valueString === 'string') comment = p.valueString;
    else if (p.name === 'event' && p.valueReference?.reference?.startsWith('AuditEvent/')) {
      ids.push(p.valueReference.reference.slice('AuditEvent/'.length));
    } else {
      throw fhirError(
        'DMP-AUDIT-PARAMETER-INVALID',
        'Expected `event` (valueReference AuditEvent/id) and an optional `comment` (valueString)',
        `Parameters.parameter[${index}]`,
      );
    }
  }
  if (ids.length === 0) {
    throw fhirError(
      'DMP-AUDIT-PARAMETER-INVALID',
      'Name at least one reviewed event',
      'Parameters.parameter',
    );
  }
  for (const id of ids) {
    const event = await ctx.log.read(id);
    if (!event || !isBreakGlass(event)) {
      throw fhirError(
        'DMP-AUDIT-PARAMETER-INVALID',
        `AuditEvent/${id} is not a known break-glass access`,
      );
    }
  }
  const review = buildBreakGlassReview({
    actor: call.actor,
    reviewed: ids,
    ...(comment ? { comment } : {}),
    recorded: ctx.now().toISOString(),
  });
  const [outcome] = await ctx.log.append([sanitizeAuditEvent(review)]);
  await ctx.checkpointer.noteAppended(1);
  if (!outcome) throw fhirError('DMP-INTERNAL', 'The review was not appended');
  return outcome.event;
}
