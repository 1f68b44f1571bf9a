import { recordAuditEvent } from '@dmp/audit-trail';
import type { Consent, Patient } from 'fhir/r4';
import { isServiceClient, type Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import type { StoreTransaction } from '@dmp/storage';
import { changeAuditEvent } from '../audit/audit-events';
import { buildDmpConsent } from '../domain/consent-codec';
import {
  closeDmp,
  newDmpPatient,
  reopenDmp,
  requestErasure,
  type ClosureReason,
} from '../domain/dmp-state';
import { NO_PREFERENCES } from '../domain/preferences';
import { loadDmp, type PatientKey } from '../storage/dmp-repository';
import { announcedChange, patientChange } from './change-feed';
import {
  actorNotAllowed,
  assertPatientBinding,
  isHolder,
  type Caller,
  type ConsentServices,
} from './context';

/** `claimUnique` namespace of the patients (INS) that have a DMP. */
export const DMP_PATIENT_CLAIM = 'dmp-patient';

export interface LifecycleResult {
  patient: Patient;
  /** 201 when the DMP was created, 200 otherwise. */
  status: 200 | 201;
}

async function auditPatient(
  tx: StoreTransaction,
  caller: Caller,
  patient: Patient,
  key: PatientKey,
  description: string,
  now: Date,
  action: 'C' | 'U' = 'U',
): Promise<void> {
  await recordAuditEvent(
    tx.outbox,
    changeAuditEvent({
      actor: caller.actor,
      action,
      what: `Patient/${patient.id ?? ''}/_history/${patient.meta?.versionId ?? ''}`,
      description,
      patientRef: `Patient/${patient.id ?? ''}`,
      ins: key.ins,
      insSystem: key.system,
      requestId: caller.requestId,
      now,
    }),
  );
}

/** Creation (C4.3) or re-opening (C6.3): the holder, a professional with an attestation, or the operator. */
function assertMayOpen(services: ConsentServices, actor: Actor, key: PatientKey): void {
  assertPatientBinding(actor, key);
  if (actor.kind === 'patient' || isServiceClient(actor, services.clients.operators)) return;
  if (actor.kind === 'practitioner' && actor.accessMode === 'normal' && actor.attestation) return;
  throw actorNotAllowed(
    'Only the patient, an attested professional or the operator may open a DMP',
  );
}

/** Closure and erase requests belong to the holder, directly or through the operator (C6.1). */
function assertMayClose(services: ConsentServices, actor: Actor, key: PatientKey): void {
  assertPatientBinding(actor, key);
  if (isHolder(actor, key) || isServiceClient(actor, services.clients.operators)) return;
  throw actorNotAllowed('Only the patient or the operator may close a DMP or ask for erasure');
}

export async function openDmp(
  services: ConsentServices,
  caller: Caller,
  key: PatientKey,
): Promise<LifecycleResult> {
  assertMayOpen(services, caller.actor, key);
  return announcedChange(services, async (tx, announce) => {
    const now = services.now();
    const record = await loadDmp(tx, key);
    if (record.patient?.active === false) {
      const patient = await tx.update(reopenDmp(record.patient));
      await auditPatient(tx, caller, patient, key, 'DMP re-opened', now);
      await announce(patientChange(key));
      return { patient, status: 200 };
    }
    if (record.patient) return { patient: record.patient, status: 200 };
    // One DMP per INS, across instances: the claim, not the lookup above, decides.
    if (!(await tx.claimUnique(DMP_PATIENT_CLAIM, `${key.system}|${key.ins}`))) {
      throw fhirError('DMP-RESOURCE-DUPLICATE', 'This DMP is being opened by another request');
    }
    const patient = await tx.create(newDmpPatient(key.system, key.ins));
    await auditPatient(tx, caller, patient, key, 'DMP created', now, 'C');
    const consent = await tx.create<Consent>(
      buildDmpConsent(NO_PREFERENCES, {
        ins: key.ins,
        insSystem: key.system,
        patientId: patient.id ?? '',
        dateTime: now.toISOString(),
        performer: { reference: `Patient/${patient.id ?? ''}` },
      }),
    );
    await recordAuditEvent(
      tx.outbox,
      changeAuditEvent({
        actor: caller.actor,
        action: 'C',
        what: `Consent/${consent.id ?? ''}/_history/${consent.meta?.versionId ?? ''}`,
        description: 'DMP consent created',
        patientRef: `Patient/${patient.id ?? ''}`,
        ins: key.ins,
        insSystem: key.system,
        requestId: caller.requestId,
        now,
      }),
    );
    await announce(patientChange(key));
    return { patient, status: 201 };
  });
}

export async function closeDmpOf(
  services: ConsentServices,
  caller: Caller,
  key: PatientKey,
  reason: ClosureReason,
  text: string | undefined,
): Promise<LifecycleResult> {
  assertMayClose(services, caller.actor, key);
  return announcedChange(services, async (tx, announce) => {
    const now = services.now();
    const record = await loadDmp(tx, key);
    if (!record.patient) throw fhirError('DMP-CONSENT-DMP-NOT-FOUND');
    if (record.patient.active === false)
      throw fhirError('DMP-CONSENT-DMP-CLOSED', 'The DMP is already closed');
    const patient = await tx.update(closeDmp(record.patient, now, reason, text));
    await auditPatient(tx, caller, patient, key, `DMP closed (${reason})`, now);
    await announce(patientChange(key));
    return { patient, status: 200 };
  });
}

export async function requestDmpErasure(
  services: ConsentServices,
  caller: Caller,
  key: PatientKey,
): Promise<LifecycleResult> {
  assertMayClose(services, caller.actor, key);
  return announcedChange(services, async (tx, announce) => {
    const now = services.now();
    const record = await loadDmp(tx, key);
    if (!record.patient) throw fhirError('DMP-CONSENT-DMP-NOT-FOUND');
    const patient = await tx.update(requestErasure(record.patient, now));
    await auditPatient(tx, caller, patient, key, 'DMP erase request recorded', now);
    await announce(patientChange(key));
    return { patient, status: 200 };
  });
}
