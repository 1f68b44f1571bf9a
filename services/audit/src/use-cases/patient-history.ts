import type { Parameters } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { parseSearch, searchParametersFor } from '@dmp/fhir';
import { readScopeOf, scopeFilters } from '../domain/access-scope';
import { historyLineOf, historyLineParameter, isShownToPatient } from '../domain/patient-history';
import { recordAuditRead, type AuditContext, type CallContext } from './context';

const HISTORY_PARAMETERS = searchParametersFor('AuditEvent').filter((p) => p.code === 'date');

/**
 * The patient's access history (SPEC D.6): newest first, one compact line per successful event
 * about them (when, who, profession, organization, what, how; break-glass and centre 15
 * highlighted), optionally within `date` bounds; `next` carries the cursor. Patients only.
 */
export async function patientHistory(
  ctx: AuditContext,
  call: CallContext,
  params: URLSearchParams,
): Promise<Parameters> {
  const scope = readScopeOf(call.actor);
  if (scope.kind !== 'patient') {
    throw fhirError('DMP-AUDIT-ACCESS-DENIED', 'The access history is the patient’s own view');
  }
  const { query } = parseSearch('AuditEvent', params, {
    parameters: HISTORY_PARAMETERS,
    maxCount: ctx.maxCount,
  });
  query.filters.push(...scopeFilters(scope));
  const page = await ctx.log.search(query);
  await recordAuditRead(ctx, call, '$patient-history', params.toString());
  const lines = page.resources.filter(isShownToPatient).map(historyLineOf);
  const kept = new URLSearchParams([...params].filter(([name]) => name !== '_cursor'));
  kept.set('_cursor', page.nextCursor ?? '');
  return {
    resourceType: 'Parameters',
    parameter: [
      ...lines.map(historyLineParameter),
      ...(page.nextCursor
        ? [
            {
              name: 'next',
              valueUri: `${call.baseUrl}/AuditEvent/$patient-history?${kept.toString()}`,
            },
          ]
        : []),
    ],
  };
}
