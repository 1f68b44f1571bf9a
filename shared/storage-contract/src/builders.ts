import { randomUUID } from 'node:crypto';
import type { AuditEvent, DocumentReference, Patient, Practitioner } from 'fhir/r4';
import type { SearchFilter, SearchQuery, SortKey } from '@dmp/fhir';

/** INS (French national health identifier) OID used as the patient identifier system. */
export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
export const LOINC = 'http://loinc.org';

export const randomId = (): string => randomUUID();
/** A random string usable as a unique name or code in a shared database. */
export const randomWord = (prefix = 'w'): string =>
  `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export interface DocOptions {
  patientId?: string;
  ins?: string;
  status?: DocumentReference['status'];
  typeCode?: string;
  date?: string;
  period?: { start?: string; end?: string };
  authorFamily?: string;
  authorGiven?: string;
  description?: string;
  masterIdentifier?: string;
}

/** An MHD-shaped DocumentReference (subject with INS, contained author, context period). */
export function buildDocument(options: DocOptions = {}): DocumentReference {
  const author: Practitioner = {
    resourceType: 'Practitioner',
    id: 'author',
    name: [{ family: options.authorFamily ?? 'Martin', given: [options.authorGiven ?? 'Claire'] }],
  };
  const doc: DocumentReference = {
    resourceType: 'DocumentReference',
    masterIdentifier: {
      system: 'urn:ietf:rfc:3986',
      value: options.masterIdentifier ?? `urn:oid:1.2.250.1.999.${Date.now()}.${randomWord('')}`,
    },
    status: options.status ?? 'current',
    type: { coding: [{ system: LOINC, code: options.typeCode ?? '11488-4' }] },
    category: [{ coding: [{ system: LOINC, code: '11369-6' }] }],
    subject: {
      reference: `Patient/${options.patientId ?? randomId()}`,
      identifier: { system: INS_SYSTEM, value: options.ins ?? randomWord('ins') },
    },
    date: options.date ?? '2024-03-05T10:00:00+01:00',
    author: [{ reference: '#author' }],
    contained: [author],
    content: [
      {
        attachment: { contentType: 'application/pdf', url: `Binary/${randomId()}`, size: 10 },
        format: {
          system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3',
          code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient',
        },
      },
    ],
  };
  if (options.period) doc.context = { period: options.period };
  if (options.description !== undefined) doc.description = options.description;
  return doc;
}

export function buildPatient(family: string, given: string, ins = randomWord('ins')): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: INS_SYSTEM, value: ins }],
    name: [{ family, given: [given] }],
    birthDate: '1980-01-15',
  };
}

export function buildAuditEvent(policy: string): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
    recorded: new Date().toISOString(),
    agent: [{ requestor: true, who: { display: 'someone' }, policy: [policy] }],
    source: { observer: { display: 'test' } },
  };
}

/** A search query with the defaults of the parser (accurate total, 50 per page). */
export function query(
  resourceType: string,
  filters: SearchFilter[],
  extra: { sort?: SortKey[]; count?: number; cursor?: string; summaryCount?: boolean } = {},
): SearchQuery {
  return {
    resourceType,
    filters,
    sort: extra.sort ?? [],
    count: extra.count ?? 50,
    total: 'accurate',
    summaryCount: extra.summaryCount ?? false,
    ...(extra.cursor === undefined ? {} : { cursor: extra.cursor }),
  };
}

export const patientFilter = (patientId: string): SearchFilter => ({
  kind: 'reference',
  param: 'patient',
  anyOf: [{ type: 'Patient', id: patientId }],
});

export const ids = (resources: { id?: string }[]): string[] =>
  resources.map((r) => r.id ?? '').sort();
