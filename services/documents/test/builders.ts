import { createHash, randomUUID } from 'node:crypto';
import type { Binary, Bundle, DocumentReference, List, Patient, Practitioner } from 'fhir/r4';

export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
export const MHD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/** Valid INS numbers (format + key), derived from a seed so each test gets its own patient. */
export function makeIns(seed: number): string {
  const body = `1800175${String(100000 + (seed % 900000)).padStart(6, '0')}`;
  const key = 97n - (BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

export interface DocumentOptions {
  ins: string;
  content?: Buffer;
  contentType?: string;
  type?: string;
  category?: string;
  setting?: string;
  facility?: string;
  event?: string;
  format?: string;
  label?: string;
  authorFamily?: string;
  authorGiven?: string;
  creation?: string;
  date?: string;
  periodStart?: string;
  periodEnd?: string;
  related?: string;
  masterId?: string;
  archived?: boolean;
  relatesTo?: DocumentReference['relatesTo'];
}

/** A PDSm-style comprehensive DocumentReference (INS logical subject, contained author). */
export function buildDocument(
  o: DocumentOptions,
  binaryUrl: string,
  bytes: Buffer,
): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [`${MHD}IHE.MHD.Comprehensive.DocumentReference`] },
    contained: [
      {
        resourceType: 'Practitioner',
        id: 'author',
        identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810000000042' }],
        name: [{ family: o.authorFamily ?? 'Martin', given: [o.authorGiven ?? 'Claire'] }],
      } as Practitioner,
      {
        resourceType: 'Patient',
        id: 'src',
        identifier: [{ system: 'urn:oid:1.2.3.4', value: 'mrn1' }],
      } as Patient,
    ],
    ...(o.archived !== undefined
      ? {
          extension: [
            {
              url: 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived',
              valueBoolean: o.archived,
            },
          ],
        }
      : {}),
    masterIdentifier: {
      system: 'urn:ietf:rfc:3986',
      value: o.masterId ?? `urn:uuid:${randomUUID()}`,
    },
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: o.type ?? '11488-4' }] },
    category: [
      {
        coding: [
          {
            system:
              'https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument',
            code: o.category ?? '10',
          },
        ],
      },
    ],
    subject: { identifier: { system: INS_SYSTEM, value: o.ins } },
    date: o.date ?? '2025-03-01T10:00:00+01:00',
    author: [{ reference: '#author' }],
    securityLabel: [{ coding: [{ system: CONFIDENTIALITY, code: o.label ?? 'N' }] }],
    ...(o.relatesTo ? { relatesTo: o.relatesTo } : {}),
    content: [
      {
        attachment: {
          contentType: o.contentType ?? 'application/pdf',
          language: 'fr-FR',
          url: binaryUrl,
          size: bytes.length,
          hash: createHash('sha1').update(bytes).digest('base64'),
          title: 'CR',
          creation: o.creation ?? '2025-02-01T09:00:00+01:00',
        },
        format: {
          system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3',
          code: o.format ?? 'urn:ihe:iti:xds-sd:pdf:2008',
        },
      },
    ],
    context: {
      event: [{ coding: [{ system: 'urn:oid:1.2.250.1.213.2.5', code: o.event ?? 'ZCQK002' }] }],
      period: {
        start: o.periodStart ?? '2025-01-10',
        ...(o.periodEnd ? { end: o.periodEnd } : {}),
      },
      facilityType: {
        coding: [{ system: 'urn:oid:1.2.250.1.71.4.2.4', code: o.facility ?? 'SA01' }],
      },
      practiceSetting: {
        coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.9', code: o.setting ?? 'ETABLISSEMENT' }],
      },
      sourcePatientInfo: { reference: '#src' },
      ...(o.related ? { related: [{ reference: o.related }] } : {}),
    },
  };
}

export function buildSubmissionSet(ins: string, items: string[]): List {
  return {
    resourceType: 'List',
    meta: { profile: [`${MHD}IHE.MHD.Comprehensive.SubmissionSet`] },
    extension: [
      { url: `${MHD}ihe-sourceId`, valueIdentifier: { value: 'urn:oid:1.2.250.1.999.1' } },
      {
        url: `${MHD}ihe-designationType`,
        valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: '11488-4' }] },
      },
    ],
    identifier: [
      {
        use: 'usual',
        system: 'urn:ietf:rfc:3986',
        value: `urn:oid:1.2.250.1.999.${String(Date.now())}${String(Math.floor(Math.random() * 1e6))}`,
      },
    ],
    status: 'current',
    mode: 'working',
    code: {
      coding: [
        {
          system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes',
          code: 'submissionset',
        },
      ],
    },
    subject: { identifier: { system: INS_SYSTEM, value: ins } },
    date: '2025-03-01T10:00:00+01:00',
    entry: items.map((reference) => ({ item: { reference } })),
  };
}

/** A Comprehensive ITI-65 bundle: SubmissionSet, one DocumentReference, its Binary. */
export function buildProvideBundle(o: DocumentOptions, extra: Bundle['entry'] = []): Bundle {
  const bytes = o.content ?? Buffer.from(`%PDF-1.4 document ${randomUUID()}`);
  const docUrl = `urn:uuid:${randomUUID()}`;
  const binUrl = `urn:uuid:${randomUUID()}`;
  return {
    resourceType: 'Bundle',
    meta: { profile: [`${MHD}IHE.MHD.Comprehensive.ProvideBundle`] },
    type: 'transaction',
    entry: [
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: buildSubmissionSet(o.ins, [docUrl]),
        request: { method: 'POST', url: 'List' },
      },
      {
        fullUrl: docUrl,
        resource: buildDocument(o, binUrl, bytes),
        request: { method: 'POST', url: 'DocumentReference' },
      },
      ...extra,
      {
        fullUrl: binUrl,
        resource: {
          resourceType: 'Binary',
          contentType: o.contentType ?? 'application/pdf',
          data: bytes.toString('base64'),
        } as Binary,
        request: { method: 'POST', url: 'Binary' },
      },
    ],
  };
}
