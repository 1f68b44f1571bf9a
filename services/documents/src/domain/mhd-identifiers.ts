import { randomUUID } from 'node:crypto';
import type { DocumentReference, Identifier } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { RFC3986_SYSTEM } from './constants';
import { xdsFault } from './xds-fault';

/**
 * MHD identifier slicing, in both published forms: MHD 4.2.3 tells the entryUUID (`use` =
 * `official`) from uniqueId-type identifiers (`use` = `usual`) by `use`; MHD 4.2.4
 * (CP-ITI-1328) by `type`, coded in this CodeSystem (`entryUUID`, `uniqueId`).
 */
export const MHD_IDENTIFIER_TYPE_SYSTEM =
  'https://profiles.ihe.net/ITI/MHD/CodeSystem/IHE.MHD.MHDIdentifierType';

type IdentifierType = 'entryUUID' | 'uniqueId';

function hasType(identifier: Identifier, code: IdentifierType): boolean {
  return (identifier.type?.coding ?? []).some(
    (coding) => coding.system === MHD_IDENTIFIER_TYPE_SYSTEM && coding.code === code,
  );
}

/** An entryUUID, in either form: `use` official (4.2.3) or `type` entryUUID (4.2.4). */
export function isEntryUuid(identifier: Identifier): boolean {
  return identifier.use === 'official' || hasType(identifier, 'entryUUID');
}

/** A uniqueId-type identifier: any other identifier with a value (SubmissionSet, Folder). */
export function isUniqueId(identifier: Identifier): boolean {
  return !isEntryUuid(identifier) && identifier.value !== undefined;
}

/**
 * The entryUUID the recipient assigns, when the resource has none, written so that both forms
 * read it: `use` official (4.2.3) and `type` entryUUID (4.2.4).
 */
export function withEntryUuid(identifiers: Identifier[] | undefined): Identifier[] {
  const list = identifiers ?? [];
  const has = list.some((i) => isEntryUuid(i) && i.value?.startsWith('urn:uuid:'));
  return has ? list : [...list, entryUuidIdentifier(`urn:uuid:${randomUUID()}`)];
}

export function entryUuidIdentifier(value: string): Identifier {
  return {
    use: 'official',
    type: { coding: [{ system: MHD_IDENTIFIER_TYPE_SYSTEM, code: 'entryUUID' }] },
    system: RFC3986_SYSTEM,
    value,
  };
}

/**
 * A fresh uniqueId for a SubmissionSet the recipient derives (ITI-105): an OID, as the MHD
 * SubmissionSet uniqueId must be, made from a UUID under the `2.25` arc (ITU-T X.667).
 */
export function freshUniqueIdOid(): string {
  return `urn:oid:2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`).toString()}`;
}

/** The identifiers without the entryUUIDs a client sent (ITI-105: never read, 0..0). */
export function withoutEntryUuids(identifiers: Identifier[] | undefined): Identifier[] {
  return (identifiers ?? []).filter((identifier) => !isEntryUuid(identifier));
}

/**
 * MHD 4.2.4: a DocumentReference identifier typed `uniqueId` is the document's uniqueId, so it
 * equals `masterIdentifier` (system and value).
 */
export function uniqueIdSliceFaults(document: DocumentReference, path: string): Fault[] {
  const master = document.masterIdentifier;
  return (document.identifier ?? []).flatMap((identifier, i) =>
    hasType(identifier, 'uniqueId') &&
    (identifier.system !== master?.system || identifier.value !== master?.value)
      ? [
          xdsFault(
            'DMP-MHD-BUNDLE-INVALID',
            'XDSRegistryMetadataError',
            'The identifier typed uniqueId must equal masterIdentifier (system and value)',
            `${path}.identifier[${String(i)}]`,
          ),
        ]
      : [],
  );
}
