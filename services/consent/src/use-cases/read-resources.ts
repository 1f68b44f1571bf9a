import type { Bundle, Consent, FhirResource, Patient } from 'fhir/r4';
import { isServiceClient, type Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import {
  buildHistoryBundle,
  buildSearchsetBundle,
  etagOf,
  type SearchFilter,
  type SearchQuery,
} from '@dmp/fhir';
import type { ConsentServices } from './context';
import { actorNotAllowed } from './context';

/** The stored Patient of a patient actor's own DMP, if any. */
async function ownPatient(services: ConsentServices, actor: Actor): Promise<Patient | undefined> {
  const bound = actor.patient;
  if (!bound?.value) return undefined;
  const [patient] = await services.store.findByIdentifier<Patient>('Patient', {
    system: bound.system,
    value: bound.value,
  });
  return patient;
}

function referenceFilter(param: string, type: string, id: string): SearchFilter {
  return { kind: 'reference', param, anyOf: [{ type, id }] };
}

/**
 * TD0.2 as hospitals and professionals may ask it: the DMP state of ONE patient they name by
 * INS (`identifier=<system>|<INS>`, once, one value), never a list of patients.
 */
function requireOneIdentifier(query: SearchQuery): void {
  const identifiers = query.filters.filter((f) => 'param' in f && f.param === 'identifier');
  const [only] = identifiers;
  const single = identifiers.length === 1 && only?.kind === 'token' && !only.negate;
  if (!single || only.anyOf.length !== 1 || query.filters.length !== 1) {
    throw fhirError(
      'DMP-CONSENT-PATIENT-REQUIRED',
      'Ask the DMP state of one patient: identifier=<INS system>|<INS>, nothing else',
      'identifier',
    );
  }
}

/**
 * Narrows a search to what the actor may see: auditors everything; the documents service the
 * patient registry; a hospital's software or a professional the DMP state of one named patient,
 * and a professional the notices addressed to them; a patient only their own resources. Consents
 * and notices are never listed for software.
 */
export async function scopeSearch(
  services: ConsentServices,
  actor: Actor,
  query: SearchQuery,
): Promise<SearchQuery | undefined> {
  if (actor.kind === 'auditor') return query;
  if (actor.kind === 'system' || actor.kind === 'practitioner') {
    if (query.resourceType === 'Patient') {
      if (!isServiceClient(actor, services.clients.decisions)) requireOneIdentifier(query);
      return query;
    }
    if (actor.kind === 'system' || query.resourceType !== 'Communication') {
      throw actorNotAllowed(`${query.resourceType} resources are the patient's: not listed here`);
    }
    return {
      ...query,
      filters: [...query.filters, referenceFilter('recipient', 'Practitioner', actor.id)],
    };
  }
  const patient = await ownPatient(services, actor);
  if (!patient?.id) return undefined;
  const own: SearchFilter =
    query.resourceType === 'Patient'
      ? { kind: 'token', param: '_id', negate: false, anyOf: [{ code: patient.id }] }
      : referenceFilter(
          query.resourceType === 'Communication' ? 'recipient' : 'patient',
          'Patient',
          patient.id,
        );
  return { ...query, filters: [...query.filters, own] };
}

export async function searchResources(
  services: ConsentServices,
  actor: Actor,
  query: SearchQuery,
  selfUrl: string,
  baseUrl: string,
): Promise<Bundle> {
  const scoped = await scopeSearch(services, actor, query);
  const page = scoped
    ? await services.store.search<FhirResource>(scoped)
    : { resources: [], total: query.total === 'none' && !query.summaryCount ? undefined : 0 };
  const next =
    'nextCursor' in page && page.nextCursor !== undefined
      ? withCursor(selfUrl, page.nextCursor)
      : undefined;
  return buildSearchsetBundle({
    resources: page.resources,
    fullUrlOf: (r) => `${baseUrl}/${r.resourceType}/${r.id ?? ''}`,
    ...(page.total !== undefined ? { total: page.total } : {}),
    links: { self: selfUrl, ...(next ? { next } : {}) },
  });
}

function withCursor(selfUrl: string, cursor: string): string {
  const url = new URL(selfUrl);
  url.searchParams.set('_cursor', cursor);
  return url.toString();
}

/**
 * May the actor see this Consent (or Patient) of this patient? Auditors yes; the documents
 * service a Patient (the registry maps `Patient/<id>` to the INS); the patient their own; nobody
 * else (a Patient id would otherwise give away who has a DMP, and their INS).
 */
async function assertMayRead(
  services: ConsentServices,
  actor: Actor,
  resource: Consent | Patient,
): Promise<void> {
  if (actor.kind === 'auditor') return;
  if (actor.kind === 'system') {
    if (resource.resourceType === 'Patient' && isServiceClient(actor, services.clients.decisions))
      return;
    throw actorNotAllowed('Software reads no patient resource by id here');
  }
  if (actor.kind === 'patient') {
    const own = await ownPatient(services, actor);
    const patientId =
      resource.resourceType === 'Patient'
        ? resource.id
        : resource.patient?.reference?.replace(/^Patient\//, '');
    if (own?.id !== undefined && own.id === patientId) return;
    throw fhirError('DMP-CONSENT-PATIENT-MISMATCH', 'This resource belongs to another patient');
  }
  throw actorNotAllowed(
    'Professionals ask the DMP state by INS (Patient?identifier=), never a patient resource by id',
  );
}

export async function readResource<T extends Consent | Patient>(
  services: ConsentServices,
  actor: Actor,
  type: T['resourceType'],
  id: string,
  versionId?: string,
): Promise<T> {
  const resource =
    versionId === undefined
      ? await services.store.read<T>(type, id)
      : await services.store.vread<T>(type, id, versionId);
  await assertMayRead(services, actor, resource);
  return resource;
}

export async function consentHistory(
  services: ConsentServices,
  actor: Actor,
  id: string,
  baseUrl: string,
): Promise<Bundle> {
  const current = await readResource<Consent>(services, actor, 'Consent', id);
  const versions = await services.store.history<Consent>('Consent', current.id ?? id);
  return buildHistoryBundle({
    entries: versions.map((version) => ({
      fullUrl: `${baseUrl}/Consent/${id}`,
      resource: version,
      method: version.meta?.versionId === '1' ? 'POST' : 'PUT',
      url: version.meta?.versionId === '1' ? 'Consent' : `Consent/${id}`,
      status: version.meta?.versionId === '1' ? '201 Created' : '200 OK',
      ...(version.meta?.versionId ? { etag: etagOf(version.meta.versionId) } : {}),
      ...(version.meta?.lastUpdated ? { lastModified: version.meta.lastUpdated } : {}),
    })),
    total: versions.length,
    links: { self: `${baseUrl}/Consent/${id}/_history` },
  });
}
