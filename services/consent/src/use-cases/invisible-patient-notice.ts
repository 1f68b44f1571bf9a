import type { Communication } from 'fhir/r4';
import { parseSearch } from '@dmp/fhir';
import { DMP_CONSENT_CODES } from '../domain/vocabulary';
import { loadDmp, type PatientKey } from '../storage/dmp-repository';
import { actorNotAllowed, type Caller, type ConsentServices } from './context';

export const INVISIBLE_PATIENT_NOTICE = 'invisible-patient-notice';

export interface InvisiblePatientNotice {
  key: PatientKey;
  /** `DocumentReference/<id>`: the document kept from the patient (`INVISIBLE_PATIENT`). */
  document: string;
}

export type NoticeOutcome = 'notified' | 'already-notified' | 'no-open-dmp';

const TEXT =
  'Votre dossier médical partagé a été mis à jour. Un professionnel de santé souhaite vous en ' +
  'présenter le contenu : nous vous invitons à consulter un professionnel de santé.';

/**
 * SPEC C3.4: the documents service's sweep reports a document labelled `INVISIBLE_PATIENT`
 * deposited two weeks ago or more and still not announced (the label is still there). The
 * patient is told, once per document (idempotent: the sweep may report it again), by a FHIR
 * Communication about the document, in one transaction with the duplicate check.
 */
export async function recordInvisiblePatientNotice(
  services: ConsentServices,
  caller: Caller,
  notice: InvisiblePatientNotice,
): Promise<NoticeOutcome> {
  if (caller.actor.kind !== 'system') {
    throw actorNotAllowed('Notices are reported by services with a system token');
  }
  return services.store.transaction(async (tx) => {
    const record = await loadDmp(tx, notice.key);
    const patientId = record.patient?.id;
    if (!patientId || record.patient?.active === false) return 'no-open-dmp';
    const { query } = parseSearch(
      'Communication',
      new URLSearchParams({
        patient: `Patient/${patientId}`,
        category: `${DMP_CONSENT_CODES}|${INVISIBLE_PATIENT_NOTICE}`,
        _count: '100',
      }),
    );
    const sent = await tx.search<Communication>(query);
    if (sent.resources.some((c) => c.about?.some((a) => a.reference === notice.document))) {
      return 'already-notified';
    }
    // Once per document across instances: the claim, not the search above, decides.
    if (!(await tx.claimUnique(INVISIBLE_PATIENT_NOTICE, notice.document))) {
      return 'already-notified';
    }
    await services.notifier.notify(tx, {
      topic: INVISIBLE_PATIENT_NOTICE,
      patientId,
      text: TEXT,
      about: notice.document,
      sentAt: services.now(),
    });
    return 'notified';
  });
}
