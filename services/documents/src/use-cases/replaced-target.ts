import type { DocumentReference } from 'fhir/r4';
import { isFhirError, type Fault } from '@dmp/errors';
import type { StoreTransaction } from '@dmp/storage';
import { patientKeyOf } from '../domain/patient-key';
import { xdsFault } from '../domain/xds-fault';

/** A replaced document must exist, be current and belong to the same patient (SPEC A.4). */
export async function checkReplacedTarget(
  tx: StoreTransaction,
  targetId: string,
  patientKey: string | undefined,
  baseUrl: string,
  path: string,
): Promise<Fault[]> {
  let target: DocumentReference;
  try {
    target = await tx.read<DocumentReference>('DocumentReference', targetId);
  } catch (error) {
    if (!isFhirError(error) || error.status >= 500) throw error;
    return [
      xdsFault(
        'DMP-MHD-RELATED-DOCUMENT-INVALID',
        'UnresolvedReferenceException',
        'The replaced DocumentReference does not exist',
        path,
      ),
    ];
  }
  const faults: Fault[] = [];
  if (target.status !== 'current') {
    faults.push(
      xdsFault(
        'DMP-MHD-RELATED-DOCUMENT-INVALID',
        'XDSRegistryMetadataError',
        'Only a current document can be replaced',
        path,
      ),
    );
  }
  const key = target.subject
    ? patientKeyOf(target.subject, { baseUrl, bundledPatients: new Set() })
    : undefined;
  if (!key?.ok || key.key !== patientKey) {
    faults.push(
      xdsFault(
        'DMP-MHD-RELATED-DOCUMENT-INVALID',
        'XDSPatientIdDoesNotMatch',
        'The replaced document belongs to another patient',
        path,
      ),
    );
  }
  return faults;
}

/** Moves the replaced document to `superseded` (a new version, in the caller's transaction). */
export async function supersede(
  tx: StoreTransaction,
  targetId: string,
): Promise<DocumentReference> {
  const target = await tx.read<DocumentReference>('DocumentReference', targetId);
  return tx.update<DocumentReference>(
    { ...target, status: 'superseded' },
    { ifMatch: target.meta?.versionId },
  );
}
