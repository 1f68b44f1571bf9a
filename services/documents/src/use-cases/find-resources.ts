import type { Bundle, FhirResource, Reference } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import {
  buildSearchsetBundle,
  checkIns,
  isInsSystem,
  parseSearch,
  type SearchFilter,
} from '@dmp/fhir';
import { buildAuditEvent } from '../domain/audit-event';
import { presentDocument } from '../domain/binary-link';
import { auditInput, authorize, type CallContext, type DocumentsContext } from './context';

export type SearchableType = 'DocumentReference' | 'List';

const TRANSACTION = { DocumentReference: 'ITI-67', List: 'ITI-66' } as const;
const PATIENT_PARAM = /^patient(?::[A-Za-z]+)?(?:\.identifier)?$/;

function baseName(name: string): string {
  return name.split(':')[0] ?? name;
}

/** MHD: `patient` or `patient.identifier`, and `status`, are required (strict, SPEC A.11). */
function requireMhdParameters(params: URLSearchParams): void {
  const names = [...params.keys()];
  const missing: string[] = [];
  if (!names.some((name) => PATIENT_PARAM.test(name))) missing.push('patient');
  if (!names.some((name) => baseName(name) === 'status')) missing.push('status');
  if (missing.length > 0) {
    throw fhirError(
      'DMP-MHD-SEARCH-PARAMETER-REQUIRED',
      `Missing search parameter(s): ${missing.join(', ')} (patient or patient.identifier, and status)`,
      missing,
    );
  }
}

/** The patient of the search, for the decision and the audit record; INS values are checked. */
function patientOf(params: URLSearchParams): Reference | undefined {
  let patient: Reference | undefined;
  for (const [name, value] of params) {
    if (!PATIENT_PARAM.test(name)) continue;
    if (name.endsWith('.identifier')) {
      const [system, code] = value.includes('|') ? value.split('|', 2) : [undefined, value];
      if (isInsSystem(system) && code !== undefined) {
        const check = checkIns(code);
        if (!check.valid) throw fhirError('DMP-INS-INVALID', `INS: ${check.reason}`, name);
      }
      patient ??= { identifier: { system, value: code } };
    } else {
      patient ??= { reference: value.includes('/') ? value : `Patient/${value}` };
    }
  }
  return patient;
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
 * ITI-67 Find Document References / ITI-66 Find Document Lists (GET or POST `_search`): the
 * MHD required parameters, PDSm archived documents hidden unless `isArchived` is asked, the
 * access decision's filters inside the query, absolute `next` links with the store's cursor.
 */
export async function findResources(
  ctx: DocumentsContext,
  call: CallContext,
  resourceType: SearchableType,
  input: URLSearchParams,
  lenient: boolean,
): Promise<Bundle> {
  requireMhdParameters(input);
  const patient = patientOf(input);
  const params = capCount(input, ctx.maxPageSize);
  const { query, ignored } = parseSearch(resourceType, params, {
    lenient,
    maxCount: ctx.maxPageSize,
    baseUrl: call.baseUrl,
  });
  const transaction = TRANSACTION[resourceType];
  const raw = params.toString();
  const obligations = await authorize(
    ctx,
    call,
    { interaction: 'search', resourceType, transaction, patient },
    { interaction: transaction, patient, query: raw },
  );
  if (!query.filters.some((filter) => 'param' in filter && filter.param === 'isArchived'))
    query.filters.push(NOT_ARCHIVED);
  query.filters.push(...obligations);
  const page = await ctx.store.search<FhirResource>(query);

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
  await ctx.audit.record(
    buildAuditEvent(auditInput(call, { interaction: transaction, patient, query: raw })),
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
