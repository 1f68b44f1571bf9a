import type { ErrorCode, Fault } from '@dmp/errors';
import { XDS_ERROR_SYSTEM } from './constants';

/** XDS error codes (ITI TF-3 Table 4.2.4.1-2) and the MHD additions we report. */
export type XdsCode =
  | 'XDSRegistryMetadataError'
  | 'XDSPatientIdDoesNotMatch'
  | 'XDSUnknownPatientId'
  | 'XDSDuplicateUniqueIdInRegistry'
  | 'XDSNonIdenticalHash'
  | 'XDSNonIdenticalSize'
  | 'XDSMissingDocument'
  | 'XDSMissingDocumentMetadata'
  | 'UnresolvedReferenceException'
  | 'InvalidDocumentContent'
  | 'XDSRepositoryError';

/** A fault carrying our code and the XDS code in `details.coding`. */
export function xdsFault(
  code: ErrorCode,
  xds: XdsCode,
  message: string,
  expression?: string,
): Fault {
  return {
    code,
    message,
    ...(expression !== undefined ? { expression } : {}),
    extraCodings: [{ system: XDS_ERROR_SYSTEM, code: xds }],
  };
}
