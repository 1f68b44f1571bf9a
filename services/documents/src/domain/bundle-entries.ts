import type {
  Binary,
  Bundle,
  BundleEntry,
  DocumentReference,
  FhirResource,
  List,
  Parameters,
  Patient,
} from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { LIST_TYPES_SYSTEM } from './constants';
import { xdsFault } from './xds-fault';

/** The slices of an ITI-65 bundle (closed slicing: nothing else is accepted). */
export type ClassifiedEntry =
  | { kind: 'submission-set'; index: number; fullUrl?: string; resource: List }
  | { kind: 'folder'; index: number; fullUrl?: string; resource: List; method: 'POST' | 'PUT' }
  | { kind: 'document-reference'; index: number; fullUrl?: string; resource: DocumentReference }
  | { kind: 'binary'; index: number; fullUrl?: string; resource: Binary }
  | { kind: 'fhir-document'; index: number; fullUrl?: string; resource: Bundle }
  | { kind: 'patient'; index: number; fullUrl?: string; resource: Patient; method: string }
  | { kind: 'patch'; index: number; fullUrl?: string; resource: Parameters; targetId: string };

export function entryPath(index: number): string {
  return `Bundle.entry[${String(index)}]`;
}

function listCode(list: List): string | undefined {
  return list.code?.coding?.find((coding) => coding.system === LIST_TYPES_SYSTEM)?.code;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Sorts each entry into its slice, or reports why it belongs to none. */
export function classifyEntry(
  entry: BundleEntry,
  index: number,
): { entry?: ClassifiedEntry; fault?: Fault } {
  const path = entryPath(index);
  const resource = entry.resource as FhirResource | undefined;
  const method = entry.request?.method;
  const fullUrl = entry.fullUrl;
  const invalid = (message: string, expression = path): { fault: Fault } => ({
    fault: xdsFault('DMP-MHD-BUNDLE-INVALID', 'XDSRegistryMetadataError', message, expression),
  });
  if (!resource) return invalid('Every entry carries a resource', `${path}.resource`);
  if (!method) return invalid('Every entry has request.method', `${path}.request.method`);
  if (resource.resourceType === 'List') {
    const code = listCode(resource);
    if (code === 'submissionset' && method === 'POST') {
      return { entry: { kind: 'submission-set', index, fullUrl, resource } };
    }
    if (code === 'folder' && (method === 'POST' || method === 'PUT')) {
      return { entry: { kind: 'folder', index, fullUrl, resource, method } };
    }
    return invalid(
      'A List is a SubmissionSet (POST) or a Folder (POST or PUT), by its MHDlistTypes code',
      `${path}.resource.code`,
    );
  }
  if (resource.resourceType === 'DocumentReference') {
    if (method !== 'POST') return invalid('DocumentReferences are POSTed', `${path}.request`);
    return { entry: { kind: 'document-reference', index, fullUrl, resource } };
  }
  if (resource.resourceType === 'Binary') {
    if (method !== 'POST') return invalid('Binaries are POSTed', `${path}.request`);
    return { entry: { kind: 'binary', index, fullUrl, resource } };
  }
  if (resource.resourceType === 'Bundle') {
    if (method !== 'POST' || resource.type !== 'document') {
      return invalid('Only a POSTed Bundle of type document may be carried', `${path}.resource`);
    }
    return { entry: { kind: 'fhir-document', index, fullUrl, resource } };
  }
  if (resource.resourceType === 'Patient') {
    if (method !== 'POST' && method !== 'PUT' && method !== 'GET') {
      return invalid('A Patient entry uses GET, POST or PUT', `${path}.request`);
    }
    return { entry: { kind: 'patient', index, fullUrl, resource, method } };
  }
  if (resource.resourceType === 'Parameters') {
    const target = /^(?:.*\/)?DocumentReference\/([^/?]+)$/.exec(entry.request?.url ?? '')?.[1];
    if (method !== 'PATCH' || target === undefined || !ID.test(target)) {
      return invalid(
        'A Parameters entry is a PATCH of DocumentReference/[id] (replaced document)',
        `${path}.request`,
      );
    }
    return { entry: { kind: 'patch', index, fullUrl, resource, targetId: target } };
  }
  return invalid(
    `${resource.resourceType} is not allowed in an ITI-65 bundle (closed slicing)`,
    `${path}.resource`,
  );
}

/** True when a FHIRPath Patch sets `DocumentReference.status` to `superseded`, and only that. */
export function isSupersedePatch(parameters: Parameters): boolean {
  const operations = parameters.parameter ?? [];
  if (operations.length !== 1 || operations[0]?.name !== 'operation') return false;
  const parts = operations[0].part ?? [];
  const part = (name: string) => parts.find((p) => p.name === name);
  return (
    part('type')?.valueCode === 'replace' &&
    part('path')?.valueString === 'DocumentReference.status' &&
    (part('value')?.valueCode ?? part('value')?.valueString) === 'superseded'
  );
}
