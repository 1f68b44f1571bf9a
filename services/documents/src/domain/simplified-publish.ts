import type { DocumentReference, Identifier, List } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { checkIns, isInsSystem } from '@dmp/fhir';
import {
  DESIGNATION_TYPE_URL,
  LIST_TYPES_SYSTEM,
  MHD_SD,
  RFC3986_SYSTEM,
  SOURCE_ID_URL,
} from './constants';
import { patientKeyOf } from './patient-key';
import { xdsFault } from './xds-fault';

const PATH = 'DocumentReference';

/** ITI-105 request rules (MHD SimplifiedPublish, PDSm simplified publish): pure checks. */
export function checkSimplifiedPublish(
  document: DocumentReference,
  baseUrl: string,
): { faults: Fault[]; patientKey?: string } {
  const faults: Fault[] = [];
  const missing = (element: string) =>
    faults.push(
      xdsFault(
        'DMP-MHD-METADATA-MISSING',
        'XDSRegistryMetadataError',
        `${element} is required`,
        `${PATH}.${element}`,
      ),
    );
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
  let patientKey: string | undefined;
  if (document.subject === undefined) {
    missing('subject');
  } else {
    const key = patientKeyOf(document.subject, { baseUrl, bundledPatients: new Set() });
    if (key.ok) patientKey = key.key;
    else
      faults.push(
        xdsFault(
          'DMP-MHD-PATIENT-MISMATCH',
          key.xds,
          `The subject ${key.reason}`,
          `${PATH}.subject`,
        ),
      );
    const identifier = document.subject.identifier;
    if (identifier?.value !== undefined && isInsSystem(identifier.system)) {
      const check = checkIns(identifier.value);
      if (!check.valid)
        faults.push({
          code: 'DMP-INS-INVALID',
          message: `INS: ${check.reason}`,
          expression: `${PATH}.subject.identifier.value`,
        });
    }
  }
  return { faults, patientKey };
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
    { use: 'official', system: RFC3986_SYSTEM, value: ids.entryUuid },
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
