import type { Bundle, DocumentReference, Practitioner } from 'fhir/r4';
import { formatDate } from './audit-event-view';

/** TRE_A07-StatutVisibiliteDocument (SPEC B.8, C.3). */
export const VISIBILITY_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.13';
export const MASKED = 'MASQUE_PS';

export interface DocumentRow {
  id: string;
  title: string;
  type: string;
  date: string;
  author: string;
  contentType: string;
  /** The `attachment.url` a service gave (…/fhir/Binary/<id>). */
  binaryUrl?: string;
  masked: boolean;
  /** `W/"<version>"` for If-Match. */
  version?: string;
}

/** A masking label's index in `securityLabel`, or -1. */
export function maskIndex(document: DocumentReference): number {
  return (document.securityLabel ?? []).findIndex((label) =>
    (label.coding ?? []).some((c) => c.system === VISIBILITY_SYSTEM && c.code === MASKED),
  );
}

const CONTENT_TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'text/xml': 'CDA (XML)',
  'application/xml': 'CDA (XML)',
  'application/hl7-v3+xml': 'CDA (XML)',
  'text/plain': 'Texte',
};

export function documentRow(document: DocumentReference): DocumentRow {
  const attachment = document.content[0]?.attachment;
  const type = document.type?.coding?.[0];
  const author = (document.author ?? [])
    .map((a) => a.display ?? a.identifier?.value ?? a.reference ?? '')
    .filter(Boolean);
  const contained = (document.contained ?? [])
    .filter((r): r is Practitioner => r.resourceType === 'Practitioner')
    .flatMap((r) =>
      (r.name ?? []).map((n) =>
        [n.prefix?.join(' '), n.given?.join(' '), n.family].filter(Boolean).join(' '),
      ),
    );
  const date = document.date ?? document.meta?.lastUpdated ?? '';
  return {
    id: document.id ?? '',
    title: attachment?.title ?? document.description ?? type?.display ?? 'Document',
    type: type?.display ?? document.type?.text ?? type?.code ?? 'Type inconnu',
    date: date ? formatDate(date) : '',
    author: [...contained, ...author].filter(Boolean)[0] ?? 'Auteur non précisé',
    contentType: CONTENT_TYPES[attachment?.contentType ?? ''] ?? attachment?.contentType ?? '',
    ...(attachment?.url ? { binaryUrl: attachment.url } : {}),
    masked: maskIndex(document) >= 0,
    ...(document.meta?.versionId ? { version: `W/"${document.meta.versionId}"` } : {}),
  };
}

export function documentsOf(bundle: Bundle): DocumentReference[] {
  return (bundle.entry ?? [])
    .map((entry) => entry.resource)
    .filter((r): r is DocumentReference => r?.resourceType === 'DocumentReference');
}

/** PDSm metadata update (TD3.3a) that adds `MASQUE_PS`; other labels are kept (additive). */
export function maskPatch(): object[] {
  return [
    {
      op: 'add',
      path: '/securityLabel/-',
      value: { coding: [{ system: VISIBILITY_SYSTEM, code: MASKED }] },
    },
  ];
}

/** The update that removes `MASQUE_PS`, checked first so that it removes that label only. */
export function unmaskPatch(document: DocumentReference): object[] | undefined {
  const index = maskIndex(document);
  if (index < 0) return undefined;
  return [
    { op: 'test', path: `/securityLabel/${index}`, value: document.securityLabel?.[index] },
    { op: 'remove', path: `/securityLabel/${index}` },
  ];
}
