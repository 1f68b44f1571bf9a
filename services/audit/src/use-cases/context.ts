import type { AuditEvent } from 'fhir/r4';
import { buildRefusalEvent, sanitizeAuditEvent } from '@dmp/audit-trail';
import type { Actor } from '@dmp/auth';
import type { ResourceValidator } from '@dmp/fhir';
import type { Refusal } from '@dmp/http';
import type { AuditLog } from '@dmp/storage';
import type { Checkpointer } from '../checkpoint/checkpointer';
import { AUDIT_SERVICE_OBSERVER, buildAuditLogRead } from '../domain/audit-of-audit';

/** What the use cases need: the log, the checkpointer, the validator, the clock, the page cap. */
export interface AuditContext {
  log: AuditLog;
  checkpointer: Checkpointer;
  validator: ResourceValidator;
  now: () => Date;
  maxCount: number;
  /** Client ids of the services allowed to feed the log. */
  feedClients: readonly string[];
}

/** The request facts a use case may need (never `req`/`res`). */
export interface CallContext {
  actor: Actor;
  requestId: string;
  baseUrl: string;
  lenient: boolean;
}

/**
 * Records that the caller read the audit trail; awaited before answering, so a read we could not
 * record is a read that does not happen.
 */
export async function recordAuditRead(
  ctx: AuditContext,
  call: CallContext,
  interaction: string,
  rawQuery: string,
): Promise<void> {
  await appendOwnEvent(
    ctx,
    buildAuditLogRead({
      actor: call.actor,
      interaction,
      rawQuery,
      requestId: call.requestId,
      recorded: ctx.now().toISOString(),
    }),
  );
}

/** An event of the audit service itself (its own reads, reviews, refusals), made valid first. */
export async function appendOwnEvent(ctx: AuditContext, event: AuditEvent): Promise<void> {
  await ctx.log.append([sanitizeAuditEvent(event)]);
  await ctx.checkpointer.noteAppended(1);
}

/** Every refusal of the audit service (a read it denied, a feed it refused…) is in its own log. */
export function recordRefusal(ctx: AuditContext, refusal: Refusal): Promise<void> {
  return appendOwnEvent(
    ctx,
    buildRefusalEvent(refusal, { display: AUDIT_SERVICE_OBSERVER.display ?? 'audit' }, ctx.now()),
  );
}
