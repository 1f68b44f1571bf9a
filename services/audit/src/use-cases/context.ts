import type { Actor } from '@dmp/auth';
import type { ResourceValidator } from '@dmp/fhir';
import type { AuditLog } from '@dmp/storage';
import type { Checkpointer } from '../checkpoint/checkpointer';
import { buildAuditLogRead } from '../domain/audit-of-audit';

/** What the use cases need: the log, the checkpointer, the validator, the clock, the page cap. */
export interface AuditContext {
  log: AuditLog;
  checkpointer: Checkpointer;
  validator: ResourceValidator;
  now: () => Date;
  maxCount: number;
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
  const event = buildAuditLogRead({
    actor: call.actor,
    interaction,
    rawQuery,
    requestId: call.requestId,
    recorded: ctx.now().toISOString(),
  });
  await ctx.log.append([event]);
  await ctx.checkpointer.noteAppended(1);
}
