import { createHash, randomUUID } from 'node:crypto';
import type { Bundle, DocumentReference, List } from 'fhir/r4';
import { INS_NIR_SYSTEM } from '@dmp/fhir';
import {
  LIST_TYPES_SYSTEM,
  MHD_SD,
  SOURCE_ID_URL,
  DESIGNATION_TYPE_URL,
} from '../domain/constants';

/** A valid INS (format and key) per patient number. */
export function benchIns(patient: number): string {
  const body = `2800375${String(100000 + patient).padStart(6, '0')}`;
  const key = 97n - (BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

/** A realistic comprehensive DocumentReference of a patient (attachment.url given). */
export function benchDocument(
  ins: string,
  url: string,
  bytes: { sha1: string; size: number },
  day: number,
): DocumentReference {
  const date = new Date(Date.UTC(2020, 0, 1) + day * 86_400_000).toISOString();
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [`${MHD_SD}IHE.MHD.Comprehensive.DocumentReference`] },
    contained: [
      {
        resourceType: 'Practitioner',
        id: 'a',
        name: [{ family: 'Martin', given: ['Claire'] }],
      } as never,
      {
        resourceType: 'Patient',
        id: 's',
        identifier: [{ system: 'urn:oid:1.2.3', value: 'mrn' }],
      } as never,
    ],
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: day % 2 === 0 ? '11488-4' : '34133-9' }] },
    category: [{ coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.1', code: '10' }] }],
    subject: { type: 'Patient', identifier: { system: INS_NIR_SYSTEM, value: ins } },
    date,
    author: [{ reference: '#a' }],
    securityLabel: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }],
      },
    ],
    content: [
      {
        attachment: {
          contentType: 'application/pdf',
          language: 'fr-FR',
          url,
          size: bytes.size,
          hash: bytes.sha1,
          creation: date,
        },
        format: { system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: 'urn:ihe:iti:xds-sd:pdf:2008' },
      },
    ],
    context: {
      period: { start: date.slice(0, 10) },
      facilityType: { coding: [{ system: 'urn:oid:1.2.250.1.71.4.2.4', code: 'SA01' }] },
      practiceSetting: {
        coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.9', code: 'ETABLISSEMENT' }],
      },
      sourcePatientInfo: { reference: '#s' },
    },
  };
}

export function benchSubmissionSet(ins: string, items: string[]): List {
  return {
    resourceType: 'List',
    meta: { profile: [`${MHD_SD}IHE.MHD.Comprehensive.SubmissionSet`] },
    extension: [
      { url: SOURCE_ID_URL, valueIdentifier: { value: 'urn:oid:1.2.250.1.999.1' } },
      {
        url: DESIGNATION_TYPE_URL,
        valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: '11488-4' }] },
      },
    ],
    identifier: [{ use: 'usual', system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` }],
    status: 'current',
    mode: 'working',
    code: { coding: [{ system: LIST_TYPES_SYSTEM, code: 'submissionset' }] },
    subject: { type: 'Patient', identifier: { system: INS_NIR_SYSTEM, value: ins } },
    date: new Date().toISOString(),
    entry: items.map((reference) => ({ item: { reference } })),
  };
}

/** An ITI-65 Comprehensive bundle carrying `bytes` as one PDF. */
export function benchBundle(ins: string, bytes: Buffer): Bundle {
  const doc = `urn:uuid:${randomUUID()}`;
  const bin = `urn:uuid:${randomUUID()}`;
  const sha1 = createHash('sha1').update(bytes).digest('base64');
  return {
    resourceType: 'Bundle',
    meta: { profile: [`${MHD_SD}IHE.MHD.Comprehensive.ProvideBundle`] },
    type: 'transaction',
    entry: [
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: benchSubmissionSet(ins, [doc]),
        request: { method: 'POST', url: 'List' },
      },
      {
        fullUrl: doc,
        resource: benchDocument(ins, bin, { sha1, size: bytes.length }, 1),
        request: { method: 'POST', url: 'DocumentReference' },
      },
      {
        fullUrl: bin,
        resource: {
          resourceType: 'Binary',
          contentType: 'application/pdf',
          data: bytes.toString('base64'),
        } as never,
        request: { method: 'POST', url: 'Binary' },
      },
    ],
  };
}
