import type { Consent, Patient } from 'fhir/r4';
import { parseSearch } from '@dmp/fhir';
import type { ResourceOperations } from '@dmp/storage';
import { preferencesOf } from '../domain/consent-codec';
import { dmpStateOf } from '../domain/dmp-state';
import type { DmpFacts } from '../domain/decision';
import { NO_PREFERENCES } from '../domain/preferences';
import { DMP_CONSENT_CODES, DMP_CONSENT_IDENTIFIER } from '../domain/vocabulary';

/** A patient as named in a request: INS value and its identifier system. */
export interface PatientKey {
  ins: string;
  system: string;
}

/** What the store holds about one patient's DMP. */
export interface DmpRecord {
  key: PatientKey;
  patient?: Patient;
  consent?: Consent;
}

export async function loadDmp(ops: ResourceOperations, key: PatientKey): Promise<DmpRecord> {
  const [patient] = await ops.findByIdentifier<Patient>('Patient', {
    system: key.system,
    value: key.ins,
  });
  if (!patient) return { key };
  const [consent] = await ops.findByIdentifier<Consent>('Consent', {
    system: DMP_CONSENT_IDENTIFIER,
    value: key.ins,
  });
  return { key, patient, ...(consent ? { consent } : {}) };
}

export function factsOf(record: DmpRecord): DmpFacts {
  return {
    ins: record.key.ins,
    state: dmpStateOf(record.patient),
    preferences: record.consent ? preferencesOf(record.consent) : NO_PREFERENCES,
  };
}

export const EMERGENCY_GRANT = 'emergency-grant';

/** The newest emergency grant of this professional on this patient, if still in force. */
export async function findActiveGrant(
  ops: ResourceOperations,
  patientId: string,
  professional: string,
  now: Date,
): Promise<Consent | undefined> {
  const { query } = parseSearch(
    'Consent',
    new URLSearchParams({
      patient: `Patient/${patientId}`,
      category: `${DMP_CONSENT_CODES}|${EMERGENCY_GRANT}`,
      actor: `Practitioner/${professional}`,
      _sort: '-date',
      _count: '1',
    }),
  );
  const page = await ops.search<Consent>(query);
  const grant = page.resources[0];
  const end = grant?.provision?.period?.end;
  return grant && end !== undefined && Date.parse(end) > now.getTime() ? grant : undefined;
}
