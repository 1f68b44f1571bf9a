import type { DocumentReference, List } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { DESIGNATION_TYPE_URL, SOURCE_ID_URL, type MetadataLevel } from './constants';
import { isUniqueId, uniqueIdSliceFaults } from './mhd-identifiers';
import { xdsFault } from './xds-fault';

function missing(path: string, what: string): Fault {
  return xdsFault(
    'DMP-MHD-METADATA-MISSING',
    'XDSRegistryMetadataError',
    `${what} is required here`,
    path,
  );
}

function invalid(path: string, message: string): Fault {
  return xdsFault('DMP-MHD-BUNDLE-INVALID', 'XDSRegistryMetadataError', message, path);
}

const isComprehensive = (level: MetadataLevel): boolean => level !== 'minimal';

/**
 * DocumentReference metadata rules of the claimed level (SPEC A.1 table, B.3 for PDSm). `subject`
 * is checked with the patient rules; `attachment.url` with the document resolution.
 */
export function checkDocumentReference(
  document: DocumentReference,
  level: MetadataLevel,
  path: string,
): Fault[] {
  const faults: Fault[] = [];
  const need = (present: unknown, element: string, what = element): void => {
    const empty = present === undefined || (Array.isArray(present) && present.length === 0);
    if (empty) faults.push(missing(`${path}.${element}`, what));
  };
  need(document.masterIdentifier?.value, 'masterIdentifier', 'masterIdentifier (uniqueId)');
  faults.push(...uniqueIdSliceFaults(document, path));
  if (document.status !== 'current' && document.status !== 'superseded') {
    faults.push(invalid(`${path}.status`, 'status is current or superseded'));
  }
  if (document.content.length !== 1) {
    faults.push(invalid(`${path}.content`, 'A DocumentReference has exactly one content'));
  }
  const content = document.content[0];
  const attachment = content?.attachment;
  need(attachment?.contentType, 'content[0].attachment.contentType');
  if (attachment?.data !== undefined) {
    faults.push(
      invalid(`${path}.content[0].attachment.data`, 'The document travels as a Binary, not inline'),
    );
  }
  if (isComprehensive(level)) {
    need(document.type?.coding, 'type');
    need(document.category, 'category');
    need(document.securityLabel, 'securityLabel');
    need(attachment?.language, 'content[0].attachment.language');
    need(attachment?.creation, 'content[0].attachment.creation');
    need(content?.format?.code, 'content[0].format');
    need(document.context?.facilityType?.coding, 'context.facilityType');
    need(document.context?.practiceSetting?.coding, 'context.practiceSetting');
    need(document.context?.sourcePatientInfo, 'context.sourcePatientInfo');
    const sourcePatient = document.context?.sourcePatientInfo?.reference;
    // Contained only at the Comprehensive level (UnContained and PDSm allow a literal reference).
    if (level === 'comprehensive' && sourcePatient !== undefined) {
      const contained = (document.contained ?? []).some(
        (resource) =>
          resource.resourceType === 'Patient' && `#${resource.id ?? ''}` === sourcePatient,
      );
      if (!contained) {
        faults.push(
          invalid(
            `${path}.context.sourcePatientInfo`,
            'sourcePatientInfo references a contained Patient of this DocumentReference',
          ),
        );
      }
    }
  }
  if (level === 'pdsm') {
    need(document.date, 'date');
    need(document.custodian, 'custodian');
    need(document.author, 'author');
    need(attachment?.title, 'content[0].attachment.title');
    need(attachment?.hash, 'content[0].attachment.hash');
    need(attachment?.size, 'content[0].attachment.size');
    need(document.context?.period?.start, 'context.period.start');
  }
  return faults;
}

/** SubmissionSet rules: uniqueId, sourceId, date, and at Comprehensive level subject/designationType. */
export function checkSubmissionSet(list: List, level: MetadataLevel, path: string): Fault[] {
  const faults: Fault[] = [];
  if (list.status !== 'current') faults.push(invalid(`${path}.status`, 'status is current'));
  if (list.mode !== 'working') faults.push(invalid(`${path}.mode`, 'mode is working'));
  if (list.date === undefined) faults.push(missing(`${path}.date`, 'date (submission time)'));
  const sourceId = (list.extension ?? []).find((extension) => extension.url === SOURCE_ID_URL);
  if (sourceId?.valueIdentifier?.value === undefined) {
    faults.push(missing(`${path}.extension`, 'The ihe-sourceId extension'));
  }
  // Required although the MHD 4.2.3 slice is 0..1: see the README's Conformance section.
  if (!(list.identifier ?? []).some(isUniqueId)) {
    faults.push(missing(`${path}.identifier`, 'The SubmissionSet uniqueId'));
  }
  if (isComprehensive(level)) {
    if (list.subject === undefined) faults.push(missing(`${path}.subject`, 'subject'));
    const designation = (list.extension ?? []).find((e) => e.url === DESIGNATION_TYPE_URL);
    if (designation?.valueCodeableConcept?.coding === undefined) {
      faults.push(missing(`${path}.extension`, 'The ihe-designationType extension'));
    }
  }
  if (level === 'pdsm' && list.source === undefined) {
    faults.push(missing(`${path}.source`, 'source (author of the submission)'));
  }
  return faults;
}

/** Media types compared without parameters and case. */
export function sameMediaType(a: string | undefined, b: string | undefined): boolean {
  const base = (value: string | undefined) => value?.split(';')[0]?.trim().toLowerCase();
  return base(a) === base(b);
}
