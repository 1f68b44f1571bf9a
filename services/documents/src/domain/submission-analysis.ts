import type { Bundle, Reference } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { classifyEntry, entryPath, type ClassifiedEntry } from './bundle-entries';
import { BUNDLE_PROFILES, type MetadataLevel } from './constants';
import { checkDocumentReference, checkSubmissionSet } from './metadata-rules';
import {
  patientInsFaults,
  sourcePatientFaults,
  submissionPatientKey,
  type PatientDesignation,
} from './submission-patient';
import {
  checkDocumentContent,
  checkListItems,
  pairReplacements,
  relationsOf,
  type Relation,
  type Replacement,
} from './submission-links';
import { xdsFault } from './xds-fault';

type Entry<K extends ClassifiedEntry['kind']> = Extract<ClassifiedEntry, { kind: K }>;

export interface SubmissionPlan {
  level: MetadataLevel;
  /** Every entry, in request order. */
  entries: ClassifiedEntry[];
  submissionSet: Entry<'submission-set'>;
  /** Key of the one patient of the submission (see `patientKeyOf`). */
  patientKey?: string;
  /** The SubmissionSet subject (else the first one given), for DocumentReferences without one. */
  subject?: Reference;
  /**
   * `relatesTo replaces`: the new DocumentReference, the id of the one it replaces, and whether
   * the bundle carries the PATCH entry that supersedes it (when not, as in XDS and in ITI-105,
   * the recipient supersedes the target itself, so there are never two current versions).
   */
  replacements: Replacement[];
  /** Every stored document the submission relates to (replaced, transformed, appended…). */
  relations: Relation[];
}

export type Analysis = { plan: SubmissionPlan; faults: [] } | { plan?: undefined; faults: Fault[] };

const LEVEL_ORDER: MetadataLevel[] = ['pdsm', 'uncontained', 'comprehensive', 'minimal'];

/** The level claimed by `Bundle.meta.profile` (the most demanding one named), if any. */
export function claimedLevel(bundle: Bundle): MetadataLevel | undefined {
  const profiles = (bundle.meta?.profile ?? []).map((profile) => profile.split('|')[0]);
  return LEVEL_ORDER.find((level) => profiles.includes(BUNDLE_PROFILES[level]));
}

/**
 * Every check of an ITI-65 bundle that needs no database: profile level, closed slicing,
 * cardinalities, document resolution, one patient, INS format, replace/PATCH pairing.
 * Repository checks (uniqueness, replaced document state, hashes) come later, in the transaction.
 */
export function analyzeSubmission(bundle: Bundle, baseUrl: string): Analysis {
  const faults: Fault[] = [];
  if (bundle.type !== 'transaction') {
    faults.push(
      xdsFault(
        'DMP-MHD-BUNDLE-INVALID',
        'XDSRegistryMetadataError',
        'An ITI-65 Bundle is a transaction',
        'Bundle.type',
      ),
    );
  }
  const level = claimedLevel(bundle);
  if (level === undefined) {
    faults.push(
      xdsFault(
        'DMP-MHD-BUNDLE-INVALID',
        'XDSRegistryMetadataError',
        'Bundle.meta.profile must name an MHD (Minimal, Comprehensive, UnContained) or PDSm ProvideBundle profile',
        'Bundle.meta.profile',
      ),
    );
  }
  const entries: ClassifiedEntry[] = [];
  (bundle.entry ?? []).forEach((entry, index) => {
    const classified = classifyEntry(entry, index);
    if (classified.fault) faults.push(classified.fault);
    if (classified.entry) entries.push(classified.entry);
  });
  if (level === undefined || faults.length > 0) return { faults };

  const of = <K extends ClassifiedEntry['kind']>(kind: K) =>
    entries.filter((entry): entry is Entry<K> => entry.kind === kind);
  const sets = of('submission-set');
  const documents = of('document-reference');
  const [submissionSet] = sets;
  if (!submissionSet || sets.length > 1) {
    return {
      faults: [
        xdsFault(
          'DMP-MHD-BUNDLE-INVALID',
          'XDSRegistryMetadataError',
          'An ITI-65 bundle carries exactly one SubmissionSet List',
          'Bundle.entry',
        ),
      ],
    };
  }
  if (level === 'pdsm' && documents.length === 0) {
    faults.push(
      xdsFault(
        'DMP-MHD-METADATA-MISSING',
        'XDSMissingDocumentMetadata',
        'A PDSm bundle carries at least one DocumentReference',
        'Bundle.entry',
      ),
    );
  }
  const byFullUrl = new Map(
    entries.flatMap((entry) => (entry.fullUrl ? [[entry.fullUrl, entry] as const] : [])),
  );
  const bundledPatients = new Set(
    of('patient').flatMap((entry) => (entry.fullUrl ? [entry.fullUrl] : [])),
  );

  // The patient first: its INS wherever it is named, then the forms, then one patient throughout.
  const context = { baseUrl, bundledPatients };
  const subjects: PatientDesignation[] = [
    {
      reference: submissionSet.resource.subject,
      path: `${entryPath(submissionSet.index)}.resource.subject`,
    },
    ...of('folder').map((f) => ({
      reference: f.resource.subject,
      path: `${entryPath(f.index)}.resource.subject`,
    })),
    ...documents.map((d) => ({
      reference: d.resource.subject,
      path: `${entryPath(d.index)}.resource.subject`,
    })),
  ];
  const patient = submissionPatientKey(subjects, context);
  faults.push(...patient.faults);
  for (const entry of of('patient')) {
    faults.push(
      ...patientInsFaults(
        entry.resource.identifier,
        `${entryPath(entry.index)}.resource.identifier`,
      ),
    );
  }

  faults.push(
    ...checkSubmissionSet(
      submissionSet.resource,
      level,
      `${entryPath(submissionSet.index)}.resource`,
    ),
  );
  for (const folder of of('folder'))
    faults.push(...checkListItems(folder.resource, folder.index, byFullUrl));
  faults.push(...checkListItems(submissionSet.resource, submissionSet.index, byFullUrl));

  for (const document of documents) {
    const path = `${entryPath(document.index)}.resource`;
    faults.push(...checkDocumentReference(document.resource, level, path));
    faults.push(...checkDocumentContent(document.resource, path, byFullUrl));
    faults.push(...sourcePatientFaults(document.resource, path, patient.key, context));
  }

  const replacements = pairReplacements(documents, of('patch'), baseUrl, faults);
  const relations = relationsOf(
    documents.map((d) => ({ resource: d.resource, path: `${entryPath(d.index)}.resource` })),
    baseUrl,
    faults,
  );
  if (faults.length > 0) return { faults };
  return {
    plan: {
      level,
      entries,
      submissionSet,
      patientKey: patient.key,
      subject: subjects.find((s) => s.reference !== undefined)?.reference,
      replacements,
      relations,
    },
    faults: [],
  };
}

export { documentIdOf } from './submission-links';
