import type {
  DocumentReference,
  Identifier,
  Organization,
  Practitioner,
  PractitionerRole,
  Reference,
  Resource,
} from 'fhir/r4';
import { SUBMITTER_PREFIX } from './constants';
import { securityLabelCodes } from './security-labels';

/** What the access rules need to know of one document (never its content). */
export interface DocumentFacts {
  status: DocumentReference['status'];
  classCode?: string;
  typeCode?: string;
  /** Codes of its security labels (confidentiality and visibility flags). */
  labels: string[];
  /** Identifiers (idNat_PS, RPPS, INS…) of the persons who authored it. */
  authors: string[];
  /** Identifiers (FINESS, idNat_Struct…) of the organizations it was authored in. */
  authorOrganizations: string[];
  /** `<kind>:<id>` of the caller who submitted it (from `meta.source`). */
  submitter?: string;
  /** When it was deposited (`DocumentReference.date`). */
  depositDate?: string;
}

type Contained = Map<string, Resource>;

function values(identifiers: readonly Identifier[] | undefined): string[] {
  return (identifiers ?? []).flatMap((i) => (i.value !== undefined ? [i.value] : []));
}

function resolve(reference: Reference | undefined, contained: Contained): Resource | undefined {
  const literal = reference?.reference;
  return literal?.startsWith('#') ? contained.get(literal.slice(1)) : undefined;
}

/** The persons and organizations one `author` reference names, contained or logical. */
function authorOf(
  reference: Reference,
  contained: Contained,
  into: { persons: string[]; organizations: string[] },
): void {
  const target = resolve(reference, contained);
  if (target === undefined) {
    const logical = reference.identifier?.value;
    if (logical === undefined) return;
    (reference.type === 'Organization' ? into.organizations : into.persons).push(logical);
    return;
  }
  switch (target.resourceType) {
    case 'Organization':
      into.organizations.push(...values((target as Organization).identifier));
      return;
    case 'PractitionerRole': {
      const role = target as PractitionerRole;
      if (role.practitioner)
        authorOf({ type: 'Practitioner', ...role.practitioner }, contained, into);
      if (role.organization) {
        authorOf({ type: 'Organization', ...role.organization }, contained, into);
      }
      return;
    }
    default:
      into.persons.push(...values((target as Practitioner).identifier));
  }
}

function codeOf(concept: { coding?: { code?: string }[] } | undefined): string | undefined {
  return concept?.coding?.find((coding) => coding.code !== undefined)?.code;
}

/** `urn:dmp:submitter:<kind>:<id>` back to `<kind>:<id>`. */
function submitterOf(source: string | undefined): string | undefined {
  if (!source?.startsWith(SUBMITTER_PREFIX)) return undefined;
  const [kind, ...rest] = source.slice(SUBMITTER_PREFIX.length).split(':');
  return kind && rest.length > 0 ? `${kind}:${decodeURIComponent(rest.join(':'))}` : undefined;
}

/**
 * The facts of a document the access rules decide on. Authors are found whether given as a
 * logical reference (identifier), a contained Practitioner or Organization, or a contained
 * PractitionerRole pointing at them (PDSm's usual form).
 */
export function documentFactsOf(document: DocumentReference): DocumentFacts {
  const contained: Contained = new Map(
    (document.contained ?? []).flatMap((r) => (r.id !== undefined ? [[r.id, r] as const] : [])),
  );
  const found = { persons: [] as string[], organizations: [] as string[] };
  for (const author of document.author ?? []) authorOf(author, contained, found);
  const classCode = codeOf(document.category?.[0]);
  const typeCode = codeOf(document.type);
  const submitter = submitterOf(document.meta?.source);
  return {
    status: document.status,
    labels: securityLabelCodes(document.securityLabel ?? []),
    authors: [...new Set(found.persons)],
    authorOrganizations: [...new Set(found.organizations)],
    ...(classCode !== undefined ? { classCode } : {}),
    ...(typeCode !== undefined ? { typeCode } : {}),
    ...(submitter !== undefined ? { submitter } : {}),
    ...(document.date !== undefined ? { depositDate: document.date } : {}),
  };
}
