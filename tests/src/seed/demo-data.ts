import { createHash, randomUUID } from 'node:crypto';
import type { Binary, Bundle, DocumentReference, Identifier, List, Reference } from 'fhir/r4';
import { readFixture } from '@dmp/test-fixtures';

/**
 * Demonstration data: patients with an open DMP and their choices, and documents built from the
 * ANS PDSm and IHE MHD examples in `tests/fixtures`. The seed names each document's business
 * identifiers after its patient and number ({@link stableNaming}), so that a second run finds
 * them already there instead of adding copies; a one-off bundle gets fresh ones.
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

/** Document types (LOINC) given in turn, so that the profession matrix has something to filter. */
const TYPES = [
  { code: '34133-9', display: 'Résumé de sortie d’hospitalisation' },
  { code: '11502-2', display: 'Compte rendu de biologie' },
  { code: '18748-4', display: "Compte rendu d'imagerie médicale" },
  { code: '57833-6', display: 'Prescription de médicaments' },
] as const;

/** The examples the demonstration documents are made of, read once. */
export interface DemoSources {
  documentReference: DocumentReference;
  submissionSet: List;
  folder: List;
  /** Document contents, given in turn: the PDSm PDF and the MHD text example. */
  contents: Binary[];
}

/** Reads the examples; fails with the missing file's name before anything is sent. */
export function readDemoSources(): DemoSources {
  return {
    documentReference: readFixture<DocumentReference>(
      'pdsm-3.1.1',
      'examples',
      'DocumentReference-exemple-pdsm-documentreference.json',
    ),
    submissionSet: readFixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleSubmissionSet.json'),
    folder: readFixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleFolder.json'),
    contents: [
      readFixture<Binary>('pdsm-3.1.1', 'examples', 'Binary-6789.json'),
      readFixture<Binary>('mhd-4.2.3', 'Binary-ex-binary.json'),
    ],
  };
}

/** Gives the business identifier (a `urn:uuid:`) of one role in a bundle. */
export type Naming = (role: string) => string;

/** New identifiers every time: a new submission. */
export const freshNaming: Naming = () => `urn:uuid:${randomUUID()}`;

/** Namespace of the demonstration's name-based UUIDs. */
const DEMO_NAMESPACE = Buffer.from('6f1c2d9e4b7a4e0f9a3b5c8d7e6f1a2b', 'hex');

/** RFC 4122 version 5 (SHA-1, name-based) UUID of `name` in the demonstration's namespace. */
function nameBasedUuid(name: string): string {
  const bytes = createHash('sha1').update(DEMO_NAMESPACE).update(name).digest().subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The same identifiers for the same patient and document number, run after run. */
export function stableNaming(ins: string, n: number): Naming {
  return (role) => `urn:uuid:${nameBasedUuid(`${ins}/${n}/${role}`)}`;
}

const renamed = (identifiers: Identifier[] | undefined, name: (i: number) => string) =>
  identifiers?.map((identifier, i) => ({ ...identifier, value: name(i) }));

export interface DemoBundleOptions {
  /** Default: {@link freshNaming}. */
  naming?: Naming;
  /** Default: {@link readDemoSources}. */
  sources?: DemoSources;
}

/**
 * The PDSm comprehensive ITI-65 bundle of the PDSm examples (SubmissionSet, DocumentReference,
 * Folder, Binary) for patient `ins`: subject as INS, identifiers from `naming`, document `n`'s
 * type and content, with the real size and SHA-1 of the bytes.
 */
export function demoBundle(ins: string, n: number, options: DemoBundleOptions = {}): Bundle {
  const naming = options.naming ?? freshNaming;
  const sources = structuredClone(options.sources ?? readDemoSources());
  const subject: Reference = { type: 'Patient', identifier: { system: INS_SYSTEM, value: ins } };
  const documentReference = sources.documentReference;
  const binary = sources.contents[n % sources.contents.length] ?? sources.contents[0];
  if (!binary) throw new Error('no document content among the demonstration sources');
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
  const identifiers = renamed(documentReference.identifier, (i) =>
    naming(`DocumentReference.identifier[${i}]`),
  );
  const document: DocumentReference = {
    ...documentReference,
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: naming('masterIdentifier') },
    ...(identifiers ? { identifier: identifiers } : {}),
    type: { coding: [{ system: 'http://loinc.org', ...type }] },
    subject,
    date: new Date(Date.now() - n * 86_400_000).toISOString(),
  };
  const list = (source: List, role: string, url: string): List => {
    const listIdentifiers = renamed(source.identifier, (i) => naming(`${role}.identifier[${i}]`));
    return {
      ...source,
      ...(listIdentifiers ? { identifier: listIdentifiers } : {}),
      subject,
      date: new Date().toISOString(),
      entry: [{ item: { reference: url } }],
    };
  };
  return {
    resourceType: 'Bundle',
    meta: { profile: [PDSM_BUNDLE] },
    type: 'transaction',
    entry: [
      {
        fullUrl: urls.set,
        resource: list(sources.submissionSet, 'SubmissionSet', urls.doc),
        request: { method: 'POST', url: 'List' },
      },
      {
        fullUrl: urls.doc,
        resource: document,
        request: { method: 'POST', url: 'DocumentReference' },
      },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: list(sources.folder, 'Folder', urls.doc),
        request: { method: 'POST', url: 'List' },
      },
      { fullUrl: bin, resource: binary, request: { method: 'POST', url: 'Binary' } },
    ],
  };
}
