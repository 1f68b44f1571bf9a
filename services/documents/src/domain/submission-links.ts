import type { DocumentReference, List } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { entryPath, isSupersedePatch, type ClassifiedEntry } from './bundle-entries';
import { sameMediaType } from './metadata-rules';
import { xdsFault } from './xds-fault';
import { localReference } from './local-reference';

type Entry<K extends ClassifiedEntry['kind']> = Extract<ClassifiedEntry, { kind: K }>;

/** One `relatesTo replaces`: the new document, the replaced id, whether a PATCH entry came. */
export interface Replacement {
  documentIndex: number;
  targetId: string;
  patched: boolean;
}

/** A stored document a submission relates to (`relatesTo` of any code, or a PATCH entry). */
export interface Relation {
  targetId: string;
  /** `replaces` (the target is superseded), else transforms/appends/signs (left as it is). */
  replaces: boolean;
  /** FHIRPath of the element naming it, for faults. */
  path: string;
}

/**
 * Every stored document a submission's documents relate to, each once: the replaced ones, then
 * the transformed, appended or signed ones, which must be documents of this repository too.
 */
export function relationsOf(
  documents: readonly { resource: DocumentReference; path: string }[],
  baseUrl: string,
  faults: Fault[],
): Relation[] {
  const relations = new Map<string, Relation>();
  for (const document of documents) {
    (document.resource.relatesTo ?? []).forEach((relation, i) => {
      const path = `${document.path}.relatesTo[${String(i)}].target`;
      const targetId = documentIdOf(relation.target.reference, baseUrl);
      if (targetId === undefined) {
        faults.push(
          xdsFault(
            'DMP-MHD-RELATED-DOCUMENT-INVALID',
            'UnresolvedReferenceException',
            'A related document is referenced as DocumentReference/[id] of this repository',
            path,
          ),
        );
      } else {
        const known = relations.get(targetId);
        const replaces = relation.code === 'replaces' || known?.replaces === true;
        relations.set(targetId, { targetId, replaces, path: known?.path ?? path });
      }
    });
  }
  return [...relations.values()];
}

/**
 * The id of the DocumentReference a List entry names, whatever the form of its reference:
 * relative, absolute under any base, versioned. Used to redact Lists, so it errs on naming.
 */
export function listedDocumentId(reference: string | undefined): string | undefined {
  return /(?:^|\/)DocumentReference\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]*)?$/.exec(
    reference ?? '',
  )?.[1];
}

/** Local id of `DocumentReference/x` or `[base]/DocumentReference/x`. */
export function documentIdOf(reference: string | undefined, baseUrl: string): string | undefined {
  if (reference === undefined) return undefined;
  const local = localReference(reference, baseUrl);
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
    (document.resource.relatesTo ?? []).forEach((relation) => {
      if (relation.code !== 'replaces') return;
      const targetId = documentIdOf(relation.target.reference, baseUrl);
      // An unresolvable target is reported once, by `relationsOf`.
      if (targetId !== undefined) {
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
