import { Readable } from 'node:stream';
import { fhirError } from '@dmp/errors';
import { parseDateRange } from '@dmp/fhir';
import { recordAuditRead, type AuditContext, type CallContext } from './context';

/**
 * Streaming NDJSON export for auditors: every event `recorded` in [from, to), in sequence order,
 * one JSON line each, read from the log page by page (constant memory whatever the range).
 */
export async function exportEvents(
  ctx: AuditContext,
  call: CallContext,
  params: URLSearchParams,
): Promise<Readable> {
  if (call.actor.kind !== 'auditor') {
    throw fhirError('DMP-AUDIT-ACCESS-DENIED', 'The export is for auditors');
  }
  const from = boundOf(params, 'from', 'low');
  const to = params.has('to') ? boundOf(params, 'to', 'high') : undefined;
  if (to !== undefined && to <= from) {
    throw fhirError('DMP-AUDIT-PARAMETER-INVALID', '`to` must be after `from`', 'to');
  }
  await recordAuditRead(ctx, call, '$export', params.toString());
  const records = ctx.log.scan({ from, ...(to !== undefined ? { to } : {}) });
  async function* lines(): AsyncGenerator<string> {
    for await (const record of records) yield `${record.json}\n`;
  }
  return Readable.from(lines(), { objectMode: false });
}

function boundOf(params: URLSearchParams, name: string, side: 'low' | 'high'): string {
  const values = params.getAll(name);
  const value = values[0];
  if (value === undefined || values.length > 1) {
    throw fhirError(
      'DMP-AUDIT-PARAMETER-INVALID',
      `Give exactly one \`${name}\` (a FHIR date or instant)`,
      name,
    );
  }
  const range = parseDateRange(value);
  if (!range) {
    throw fhirError(
      'DMP-AUDIT-PARAMETER-INVALID',
      `\`${name}\` is not a FHIR date or instant`,
      name,
    );
  }
  return range[side];
}
