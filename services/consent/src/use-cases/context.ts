import type { Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import type { ResourceStore } from '@dmp/storage';
import type { AuditWriter } from '../audit/audit-writer';
import type { AccessPolicy } from '../domain/access-policy';
import type { Notifier } from '../notify/notifier';
import type { PatientKey } from '../storage/dmp-repository';

/** What every use case of the consent service works with. */
export interface ConsentServices {
  store: ResourceStore;
  policy: AccessPolicy;
  now: () => Date;
  notifier: Notifier;
  /** Decision audits (group-committed); changes audit inside their own transaction. */
  audit: AuditWriter;
  /** Client ids of the software the service trusts with more than a hospital's rights. */
  clients: TrustedClients;
}

export interface TrustedClients {
  /** May ask access decisions and read the patient registry (the documents service). */
  decisions: readonly string[];
  /** May open, close and ask to erase DMPs (the DMP operator). */
  operators: readonly string[];
}

/** Who made a request, with the correlation id its audit records carry. */
export interface Caller {
  actor: Actor;
  requestId: string;
}

/** Is the actor the holder of this DMP (a patient token bound to this INS)? */
export function isHolder(actor: Actor, key: PatientKey): boolean {
  return actor.kind === 'patient' && actor.patient?.value === key.ins;
}

/** A token bound to a patient (`person_id`) may only act on that patient (SPEC F.1). */
export function assertPatientBinding(actor: Actor, key: PatientKey): void {
  const bound = actor.patient?.value;
  if (
    (actor.kind === 'patient' && bound === undefined) ||
    (bound !== undefined && bound !== key.ins)
  ) {
    throw fhirError(
      'DMP-CONSENT-PATIENT-MISMATCH',
      'The access token is bound to another patient',
      "Parameters.parameter.where(name='patient')",
    );
  }
}

export function actorNotAllowed(message: string) {
  return fhirError('DMP-CONSENT-ACTOR-NOT-ALLOWED', message);
}

/** A reference to a non-holder actor who changed something (a professional, the operator). */
export function patientRef(actor: Actor): string {
  return actor.kind === 'practitioner' ? `Practitioner/${actor.id}` : `Device/${actor.id}`;
}
