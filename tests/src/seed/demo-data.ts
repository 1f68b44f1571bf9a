import { createHash, randomUUID } from 'node:crypto';
import type { Binary, Bundle, DocumentReference, Identifier, List, Reference } from 'fhir/r4';
import { readFixture } from '@dmp/test-fixtures';

/**
 * Demonstration data: patients with an open DMP and their choices, and documents built from the
 * ANS PDSm and IHE MHD examples in `tests/fixtures`, each with fresh unique identifiers so that
 * the seed can run again.
 */
export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
const PDSM_BUNDLE =
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle';

/** Professionals of the walkthrough (idNat_PS). */
export const DOCTORS = {
  /** Default `npm run -s token` practitioner: a care-team member. */
  careTeam: '810000000001',
  /** Authorized by the first patient; mint with `--attest none` to see the authorization work. */
  authorized: '810000000011',
  /** Not authorized: refused without an attestation. */
  stranger: '810000000012',
  /** Blocked by the first patient. */
  blocked: '810000000666',
} as const;

/** A valid INS (matricule + control key); patient 0 is the token CLI's default patient. */
export function demoIns(patient: number): string {
  if (patient === 0) return '255081416802538';
  const body = `2750675${String(100000 + patient).padStart(6, '0')}`;
  return `${body}${String(97n - (BigInt(body) % 97n)).padStart(2, '0')}`;
}

export interface ConsentChange {
  type: 'authorize' | 'block' | 'attending-physician';
  professional: string;
}

/** The choices of the first patient (the others keep the defaults). */
export const FIRST_PATIENT_CHANGES: readonly ConsentChange[] = [
  { type: 'authorize', professional: DOCTORS.authorized },
  { type: 'block', professional: DOCTORS.blocked },
];

function fixture<T>(...parts: string[]): T {
  return readFixture<T>(...parts);
}

/** Document contents from the fixtures: the PDSm PDF and the MHD text examples. */
const CONTENTS = [
  ['pdsm-3.1.1', 'examples', 'Binary-6789.json'],
  ['mhd-4.2.3', 'Binary-ex-binary.json'],
] as const;

/** Document types (LOINC) given in turn, so that the profession matrix has something to filter. */
const TYPES = [
  { code: '34133-9', display: 'Résumé de sortie d’hospitalisation' },
  { code: '11502-2', display: 'Compte rendu de biologie' },
  { code: '18748-4', display: "Compte rendu d'imagerie médicale" },
  { code: '57833-6', display: 'Prescription de médicaments' },
] as const;

const fresh = (identifiers: Identifier[] | undefined): Identifier[] | undefined =>
  identifiers?.map((identifier) => ({ ...identifier, value: `urn:uuid:${randomUUID()}` }));

/**
 * The PDSm comprehensive ITI-65 bundle of the PDSm examples (SubmissionSet, DocumentReference,
 * Folder, Binary) for patient `ins`: subject as INS, new identifiers, document `n`'s type and
 * content, with the real size and SHA-1 of the bytes.
 */
export function demoBundle(ins: string, n: number): Bundle {
  const subject: Reference = { type: 'Patient', identifier: { system: INS_SYSTEM, value: ins } };
  const documentReference = fixture<DocumentReference>(
    'pdsm-3.1.1',
    'examples',
    'DocumentReference-exemple-pdsm-documentreference.json',
  );
  const set = fixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleSubmissionSet.json');
  const folder = fixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleFolder.json');
  const binary = fixture<Binary>(...(CONTENTS[n % CONTENTS.length] ?? CONTENTS[0]));
  const type = TYPES[n % TYPES.length] ?? TYPES[0];
  const bytes = Buffer.from(binary.data ?? '', 'base64');
  const urls = { set: `urn:uuid:${randomUUID()}`, doc: `urn:uuid:${randomUUID()}` };
  const bin = `urn:uuid:${randomUUID()}`;
  const content = documentReference.content[0];
  if (content) {
    content.attachment = {
      ...content.attachment,
      contentType: binary.contentType,
      url: bin,
      size: bytes.length,
      hash: createHash('sha1').update(bytes).digest('base64'),
    };
  }
  const document: DocumentReference = {
    ...documentReference,
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    ...(documentReference.identifier ? { identifier: fresh(documentReference.identifier) } : {}),
    type: { coding: [{ system: 'http://loinc.org', ...type }] },
    subject,
    date: new Date(Date.now() - n * 86_400_000).toISOString(),
  };
  const list = (source: List, url: string): List => ({
    ...source,
    ...(source.identifier ? { identifier: fresh(source.identifier) } : {}),
    subject,
    date: new Date().toISOString(),
    entry: [{ item: { reference: url } }],
  });
  return {
    resourceType: 'Bundle',
    meta: { profile: [PDSM_BUNDLE] },
    type: 'transaction',
    entry: [
      {
        fullUrl: urls.set,
        resource: list(set, urls.doc),
        request: { method: 'POST', url: 'List' },
      },
      {
        fullUrl: urls.doc,
        resource: document,
        request: { method: 'POST', url: 'DocumentReference' },
      },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: list(folder, urls.doc),
        request: { method: 'POST', url: 'List' },
      },
      { fullUrl: bin, resource: binary, request: { method: 'POST', url: 'Binary' } },
    ],
  };
}
