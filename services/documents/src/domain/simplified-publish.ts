import type { DocumentReference, Identifier, List } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import {
  DESIGNATION_TYPE_URL,
  LIST_TYPES_SYSTEM,
  MHD_SD,
  RFC3986_SYSTEM,
  SIMPLIFIED_PUBLISH_PROFILES,
  SOURCE_ID_URL,
} from './constants';
import { entryUuidIdentifier, withEntryUuid, withoutEntryUuids } from './mhd-identifiers';
import { normalizeSecurityLabels } from './security-labels';
import { sourcePatientFaults, submissionPatientKey } from './submission-patient';
import { xdsFault } from './xds-fault';

const PATH = 'DocumentReference';
const MINIMAL_DOCUMENT_REFERENCE = `${MHD_SD}IHE.MHD.Minimal.DocumentReference`;

/** Does the DocumentReference claim the PDSm simplified-publish profile? */
function claimsPdsm(document: DocumentReference): boolean {
  return (document.meta?.profile ?? []).some(
    (p) => p.split('|')[0] === SIMPLIFIED_PUBLISH_PROFILES.pdsm,
  );
}

/**
 * ITI-105 request rules, pure: MHD SimplifiedPublish (masterIdentifier, status current, one
 * content with contentType and inline data, no url, subject), and when the PDSm
 * simplified-publish profile is claimed its own cardinalities (author 1..*, attachment.title
 * 1..1). The patient is checked as in ITI-65: the INS first, then the form of the reference.
 */
export function checkSimplifiedPublish(document: DocumentReference, baseUrl: string): Fault[] {
  const context = { baseUrl, bundledPatients: new Set<string>() };
  const patient = submissionPatientKey(
    [{ reference: document.subject, path: `${PATH}.subject` }],
    context,
  );
  const faults: Fault[] = [...patient.faults];
  const missing = (element: string) =>
    faults.push(
      xdsFault(
        'DMP-MHD-METADATA-MISSING',
        'XDSRegistryMetadataError',
        `${element} is required`,
        `${PATH}.${element}`,
      ),
    );
  if (document.subject === undefined) missing('subject');
  if (document.masterIdentifier?.value === undefined) missing('masterIdentifier');
  if (document.status !== 'current') {
    faults.push(
      xdsFault(
        'DMP-MHD-BUNDLE-INVALID',
        'XDSRegistryMetadataError',
        'A published document is current',
        `${PATH}.status`,
      ),
    );
  }
  if (document.content.length !== 1) {
    faults.push(
      xdsFault(
        'DMP-MHD-BUNDLE-INVALID',
        'XDSRegistryMetadataError',
        'Exactly one content',
        `${PATH}.content`,
      ),
    );
  }
  const attachment = document.content[0]?.attachment;
  if (attachment?.contentType === undefined) missing('content[0].attachment.contentType');
  if (attachment?.data === undefined) {
    faults.push(
      xdsFault(
        'DMP-MHD-MISSING-DOCUMENT',
        'XDSMissingDocument',
        'ITI-105 carries the document in attachment.data',
        `${PATH}.content[0].attachment.data`,
      ),
    );
  }
  if (attachment?.url !== undefined) {
    faults.push(
      xdsFault(
        'DMP-MHD-BUNDLE-INVALID',
        'XDSRegistryMetadataError',
        'attachment.url is assigned by the recipient',
        `${PATH}.content[0].attachment.url`,
      ),
    );
  }
  if (claimsPdsm(document)) {
    if ((document.author ?? []).length === 0) missing('author');
    if (attachment?.title === undefined) missing('content[0].attachment.title');
  }
  faults.push(...sourcePatientFaults(document, PATH, patient.key, context));
  return faults;
}

/**
 * The profile the stored DocumentReference meets once its data became a Binary: the
 * simplified-publish profiles (MHD, PDSm) demand `attachment.data` and forbid `url`, so they are
 * no longer claimed; MHD Minimal DocumentReference is (masterIdentifier, status current, one
 * content with contentType and url, hash and size computed by the recipient). Other profiles
 * the client claimed stay as they were.
 */
function storedProfiles(document: DocumentReference): string[] {
  const simplified = new Set<string>(Object.values(SIMPLIFIED_PUBLISH_PROFILES));
  const kept = (document.meta?.profile ?? []).filter((p) => !simplified.has(p.split('|')[0] ?? ''));
  return [...kept, MINIMAL_DOCUMENT_REFERENCE];
}

/** Where the data of a published document went (the Binary, its SHA-1 and size), and who sent it. */
export interface StoredContent {
  binary: string;
  sha1: string;
  size: number;
  submitter: string;
}

/**
 * The DocumentReference stored for an ITI-105 request: `attachment.data` replaced by the Binary's
 * url with the hash and size of its bytes, the profile it now meets, the recipient's entryUUID
 * (a client's is never read), the submitter, security labels stored canonically.
 */
export function storedDocument(input: DocumentReference, stored: StoredContent): DocumentReference {
  const { id: _id, ...rest } = input;
  const [content] = input.content;
  const { data: _data, ...attachment } = content?.attachment ?? {};
  return {
    ...rest,
    meta: { ...input.meta, profile: storedProfiles(input), source: stored.submitter },
    identifier: withEntryUuid(withoutEntryUuids(input.identifier)),
    ...(input.securityLabel ? { securityLabel: normalizeSecurityLabels(input.securityLabel) } : {}),
    content: [
      {
        ...content,
        attachment: { ...attachment, url: stored.binary, hash: stored.sha1, size: stored.size },
      },
    ],
  };
}

/** The SubmissionSet the recipient derives for a simplified publish. */
export function deriveSubmissionSet(
  document: DocumentReference,
  documentRef: string,
  sourceId: string,
  now: string,
  ids: { uniqueId: string; entryUuid: string },
): List {
  const identifiers: Identifier[] = [
    { use: 'usual', system: RFC3986_SYSTEM, value: ids.uniqueId },
    entryUuidIdentifier(ids.entryUuid),
  ];
  const designation = document.type?.coding
    ? [{ url: DESIGNATION_TYPE_URL, valueCodeableConcept: document.type }]
    : [];
  return {
    resourceType: 'List',
    meta: { profile: [`${MHD_SD}IHE.MHD.Minimal.SubmissionSet`] },
    extension: [{ url: SOURCE_ID_URL, valueIdentifier: { value: sourceId } }, ...designation],
    identifier: identifiers,
    status: 'current',
    mode: 'working',
    code: { coding: [{ system: LIST_TYPES_SYSTEM, code: 'submissionset' }] },
    ...(document.subject ? { subject: document.subject } : {}),
    date: now,
    entry: [{ item: { reference: documentRef } }],
  };
}
