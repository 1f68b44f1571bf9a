import type { Consent } from 'fhir/r4';
import type { StoreTransaction } from '@dmp/storage';
import type { EmergencyMode, SubjectFacts } from '../domain/decision';
import { professionalReference } from '../domain/consent-codec';
import type { PatientPreferences } from '../domain/preferences';
import {
  ACT_REASON_SYSTEM,
  CONSENT_SCOPE_SYSTEM,
  DMP_CONSENT_CODES,
  DMP_POLICY_URI,
  EXTENSION_BASE,
  PARTICIPATION_TYPE_SYSTEM,
} from '../domain/vocabulary';
import { EMERGENCY_GRANT, findActiveGrant, type PatientKey } from '../storage/dmp-repository';
import type { ConsentServices } from './context';

export const ACCESS_REASON_EXTENSION = `${EXTENSION_BASE}/access-reason`;
const ACCESS_MODE_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.248';

export interface EmergencyGrant {
  grant: Consent;
  /** True when this call created the grant (and sent the notifications). */
  created: boolean;
}

function buildGrant(
  key: PatientKey,
  patientId: string,
  subject: SubjectFacts,
  mode: EmergencyMode,
  start: Date,
  minutes: number,
): Consent {
  const end = new Date(start.getTime() + minutes * 60_000);
  return {
    resourceType: 'Consent',
    ...(subject.accessReason
      ? { extension: [{ url: ACCESS_REASON_EXTENSION, valueString: subject.accessReason }] }
      : {}),
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: DMP_CONSENT_CODES, code: EMERGENCY_GRANT }] }],
    patient: {
      reference: `Patient/${patientId}`,
      identifier: { system: key.system, value: key.ins },
    },
    dateTime: start.toISOString(),
    performer: [professionalReference(subject.id)],
    policy: [{ uri: DMP_POLICY_URI }],
    provision: {
      type: 'permit',
      period: { start: start.toISOString(), end: end.toISOString() },
      actor: [
        {
          role: { coding: [{ system: PARTICIPATION_TYPE_SYSTEM, code: 'IRCP' }] },
          reference: professionalReference(subject.id),
        },
      ],
      purpose: [
        { system: ACT_REASON_SYSTEM, code: 'ETREAT' },
        ...(mode === 'bris_de_glace' ? [{ system: ACT_REASON_SYSTEM, code: 'BTG' }] : []),
        { system: ACCESS_MODE_SYSTEM, code: mode },
      ],
    },
  };
}

/**
 * The time-boxed emergency grant of a professional on a patient (SPEC C2.3, C2.9): reused while
 * in force, else created, recorded and notified to the patient and their médecin traitant, in
 * the caller's transaction.
 */
export async function ensureEmergencyGrant(
  services: ConsentServices,
  tx: StoreTransaction,
  input: {
    key: PatientKey;
    patientId: string;
    subject: SubjectFacts;
    mode: EmergencyMode;
    preferences: PatientPreferences;
    now: Date;
  },
): Promise<EmergencyGrant> {
  const existing = await findActiveGrant(tx, input.patientId, input.subject.id, input.now);
  if (existing) return { grant: existing, created: false };
  const grant = await tx.create(
    buildGrant(
      input.key,
      input.patientId,
      input.subject,
      input.mode,
      input.now,
      services.policy.breakGlass.grantMinutes,
    ),
  );
  const label = input.mode === 'bris_de_glace' ? 'bris de glace' : 'régulation SAMU (centre 15)';
  await services.notifier.notify(tx, {
    topic: 'emergency-access',
    patientId: input.patientId,
    ...(input.preferences.attendingPhysician
      ? { attendingPhysician: input.preferences.attendingPhysician }
      : {}),
    text: `Accès d'urgence à votre DMP (${label}) par le professionnel ${input.subject.id}, le ${input.now.toISOString()}.`,
    about: `Consent/${grant.id ?? ''}`,
    sentAt: input.now,
  });
  return { grant, created: true };
}
