import type { AuditEvent, Bundle, BundleEntry } from 'fhir/r4';
import { FhirError, fhirError, isFhirError, type Fault } from '@dmp/errors';
import { buildTransactionResponse, etagOf, type TransactionEntryResult } from '@dmp/fhir';
import { canonicalJson, type AppendOutcome } from '@dmp/storage';
import { balpFaults } from '../domain/balp-essentials';
import type { AuditContext } from './context';

export interface RecordResult {
  status: 200 | 201;
  event: AuditEvent;
}

/**
 * ITI-20 Send Audit Resource: validates, appends (idempotent on id), 201, or 200 when the very
 * same event was already recorded. Another event under a recorded id is refused (409) without
 * showing the recorded one: ids are not a way to read the log.
 */
export async function recordEvent(ctx: AuditContext, body: unknown): Promise<RecordResult> {
  const event = checkEvent(ctx, body, 'AuditEvent');
  const [outcome] = await append(ctx, [event]);
  if (!outcome) throw fhirError('DMP-INTERNAL', 'The event was not appended');
  assertSameReplay(event, outcome, 'AuditEvent.id');
  return { status: outcome.created ? 201 : 200, event: outcome.event };
}

function withoutMeta(event: AuditEvent): string {
  const { meta: _meta, ...rest } = event;
  return canonicalJson(rest);
}

/** A replay is the same event again (the shipper's at-least-once delivery), nothing else. */
function assertSameReplay(sent: AuditEvent, outcome: AppendOutcome, expression: string): void {
  if (outcome.created || withoutMeta(sent) === withoutMeta(outcome.event)) return;
  throw fhirError(
    'DMP-RESOURCE-DUPLICATE',
    'Another AuditEvent is already recorded under this id',
    expression,
  );
}

/**
 * ITI-20 Send Audit Bundle. A `transaction` is all or nothing: one bad entry refuses the whole
 * Bundle (4xx) and nothing is stored. A `batch` treats entries independently: bad entries get
 * their own 4xx entry response, the good ones are stored.
 */
export async function recordBundle(ctx: AuditContext, body: unknown): Promise<Bundle> {
  const bundle = checkBundle(body);
  const entries = bundle.entry ?? [];
  const checked = entries.map((entry, index) => {
    try {
      return { event: checkEntry(ctx, entry, index) };
    } catch (error) {
      if (!isFhirError(error)) throw error;
      return { error };
    }
  });
  if (bundle.type === 'transaction') {
    const failure = checked.find((c) => c.error)?.error;
    if (failure) throw failure;
  }
  const valid = checked.flatMap((c) => (c.event ? [c.event] : []));
  const outcomes = await append(ctx, valid);
  let next = 0;
  const results = checked.map((c, index): TransactionEntryResult => {
    if (c.error) return { status: `${c.error.status}`, outcome: c.error.outcome };
    const outcome = outcomes[next++];
    if (!outcome || !c.event) throw fhirError('DMP-INTERNAL', 'An entry was not appended');
    try {
      assertSameReplay(c.event, outcome, `Bundle.entry[${index}].resource.id`);
    } catch (error) {
      if (!isFhirError(error)) throw error;
      return { status: `${error.status}`, outcome: error.outcome };
    }
    return entryResult(outcome);
  });
  return buildTransactionResponse(
    results,
    bundle.type === 'transaction' ? 'transaction-response' : 'batch-response',
  );
}

async function append(ctx: AuditContext, events: AuditEvent[]): Promise<AppendOutcome[]> {
  const outcomes = await ctx.log.append(events);
  await ctx.checkpointer.noteAppended(outcomes.filter((o) => o.created).length);
  return outcomes;
}

function entryResult(outcome: AppendOutcome): TransactionEntryResult {
  const id = outcome.event.id ?? '';
  return {
    status: outcome.created ? '201 Created' : '200 OK',
    location: `AuditEvent/${id}/_history/1`,
    etag: etagOf('1'),
    ...(outcome.event.meta?.lastUpdated ? { lastModified: outcome.event.meta.lastUpdated } : {}),
  };
}

function checkBundle(body: unknown): Bundle {
  const bundle = body as Partial<Bundle> | null;
  if (typeof bundle !== 'object' || bundle === null || bundle.resourceType !== 'Bundle') {
    throw fhirError('DMP-AUDIT-BUNDLE-INVALID', 'POST [base] takes a Bundle', 'Bundle');
  }
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw fhirError(
      'DMP-AUDIT-BUNDLE-INVALID',
      'Bundle.type must be batch or transaction',
      'Bundle.type',
    );
  }
  if (!Array.isArray(bundle.entry)) return { ...bundle, entry: [] } as Bundle;
  return bundle as Bundle;
}

function checkEntry(ctx: AuditContext, raw: unknown, index: number): AuditEvent {
  const at = `Bundle.entry[${index}]`;
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as BundleEntry;
  const method = entry.request?.method;
  const type = entry.resource?.resourceType;
  if ((method !== undefined && method !== 'POST') || type !== 'AuditEvent') {
    throw fhirError(
      'DMP-AUDIT-BUNDLE-INVALID',
      'Each entry must POST an AuditEvent',
      type !== 'AuditEvent' ? `${at}.resource` : `${at}.request.method`,
    );
  }
  return checkEvent(ctx, entry.resource, `${at}.resource`);
}

function checkEvent(ctx: AuditContext, body: unknown, root: string): AuditEvent {
  const schemaFaults: Fault[] = ctx.validator.validate(body, root);
  if (schemaFaults.length > 0) throw new FhirError(schemaFaults);
  const event = body as AuditEvent;
  if (event.resourceType !== 'AuditEvent') {
    throw fhirError(
      'DMP-RESOURCE-INVALID',
      'The body must be an AuditEvent',
      `${root}.resourceType`,
    );
  }
  const faults = balpFaults(event, root);
  if (faults.length > 0) throw new FhirError(faults);
  return event;
}
