import type { DocumentReference, List } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { entryPath, isSupersedePatch, type ClassifiedEntry } from './bundle-entries';
import { sameMediaType } from './metadata-rules';
import { xdsFault } from './xds-fault';

type Entry<K extends ClassifiedEntry['kind']> = Extract<ClassifiedEntry, { kind: K }>;

/** One `relatesTo replaces`: the new document, the replaced id, whether a PATCH entry came. */
export interface Replacement {
  documentIndex: number;
  targetId: string;
  patched: boolean;
}

/** Local id of `DocumentReference/x` or `[base]/DocumentReference/x`. */
export function documentIdOf(reference: string | undefined, baseUrl: string): string | undefined {
  if (reference === undefined) return undefined;
  const local = reference.startsWith(`${baseUrl}/`)
    ? reference.slice(baseUrl.length + 1)
    : reference;
  return /^DocumentReference\/([A-Za-z0-9\-.]{1,64})$/.exec(local)?.[1];
}

export function checkListItems(
  list: List,
  index: number,
  byFullUrl: ReadonlyMap<string, ClassifiedEntry>,
): Fault[] {
  return (list.entry ?? []).flatMap((item, i) => {
    const reference = item.item.reference;
    const path = `${entryPath(index)}.resource.entry[${String(i)}].item`;
    if (reference === undefined) {
      return [
        xdsFault(
          'DMP-MHD-BUNDLE-INVALID',
          'UnresolvedReferenceException',
          'entry.item needs a reference',
          path,
        ),
      ];
    }
    if (!reference.startsWith('urn:')) return [];
    const target = byFullUrl.get(reference);
    if (target?.kind === 'document-reference' || target?.kind === 'folder') return [];
    return [
      xdsFault(
        'DMP-MHD-BUNDLE-INVALID',
        'UnresolvedReferenceException',
        'entry.item must resolve to a DocumentReference or Folder of the bundle',
        path,
      ),
    ];
  });
}

export function checkDocumentContent(
  document: DocumentReference,
  path: string,
  byFullUrl: ReadonlyMap<string, ClassifiedEntry>,
): Fault[] {
  const attachment = document.content[0]?.attachment;
  const urlPath = `${path}.content[0].attachment.url`;
  if (attachment?.url === undefined) {
    return [
      xdsFault(
        'DMP-MHD-MISSING-DOCUMENT',
        'XDSMissingDocument',
        'attachment.url must point to a Binary of the bundle',
        urlPath,
      ),
    ];
  }
  const target = byFullUrl.get(attachment.url);
  if (target?.kind === 'binary') {
    return sameMediaType(target.resource.contentType, attachment.contentType) ||
      attachment.contentType === undefined
      ? []
      : [
          xdsFault(
            'DMP-MHD-BUNDLE-INVALID',
            'XDSRegistryMetadataError',
            'attachment.contentType differs from the Binary contentType',
            `${path}.content[0].attachment.contentType`,
          ),
        ];
  }
  if (target?.kind === 'fhir-document') {
    return sameMediaType(attachment.contentType, 'application/fhir+json')
      ? []
      : [
          xdsFault(
            'DMP-MHD-BUNDLE-INVALID',
            'XDSRegistryMetadataError',
            'A FHIR Document is published as application/fhir+json',
            `${path}.content[0].attachment.contentType`,
          ),
        ];
  }
  return [
    xdsFault(
      'DMP-MHD-MISSING-DOCUMENT',
      'XDSMissingDocument',
      'attachment.url does not resolve to a Binary of the bundle',
      urlPath,
    ),
  ];
}

export function pairReplacements(
  documents: Entry<'document-reference'>[],
  patches: Entry<'patch'>[],
  baseUrl: string,
  faults: Fault[],
): Replacement[] {
  const replacements: Replacement[] = [];
  for (const document of documents) {
    (document.resource.relatesTo ?? []).forEach((relation, i) => {
      if (relation.code !== 'replaces') return;
      const path = `${entryPath(document.index)}.resource.relatesTo[${String(i)}].target`;
      const targetId = documentIdOf(relation.target.reference, baseUrl);
      if (targetId === undefined) {
        faults.push(
          xdsFault(
            'DMP-MHD-RELATED-DOCUMENT-INVALID',
            'UnresolvedReferenceException',
            'A replaced document is referenced as DocumentReference/[id] of this repository',
            path,
          ),
        );
      } else {
        const patched = patches.some((patch) => patch.targetId === targetId);
        replacements.push({ documentIndex: document.index, targetId, patched });
      }
    });
  }
  for (const patch of patches) {
    const path = entryPath(patch.index);
    if (!isSupersedePatch(patch.resource)) {
      faults.push(
        xdsFault(
          'DMP-MHD-BUNDLE-INVALID',
          'XDSRegistryMetadataError',
          'The PATCH entry only replaces DocumentReference.status with superseded',
          `${path}.resource`,
        ),
      );
    } else if (!replacements.some((r) => r.targetId === patch.targetId)) {
      faults.push(
        xdsFault(
          'DMP-MHD-BUNDLE-INVALID',
          'XDSRegistryMetadataError',
          'A PATCH entry must match a DocumentReference that replaces its target',
          `${path}.request.url`,
        ),
      );
    }
  }
  return replacements;
}
