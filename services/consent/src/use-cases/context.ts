import type { Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import type { Counter } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import type { AuditWriter } from '../audit/audit-writer';
import type { AccessPolicy } from '../domain/access-policy';
import type { Notifier } from '../notify/notifier';
import type { PatientKey } from '../storage/dmp-repository';
import type { FeedSignal } from './change-feed';

/** What every use case of the consent service works with. */
export interface ConsentServices {
  store: ResourceStore;
  /** The policy decisions are made with; replaced by a reload (`reload-policy.ts`). */
  policy: AccessPolicy;
  /** `policyFingerprint(policy)`, told to the change feed's followers. */
  policyFingerprint: string;
  /** Reads the policy again (the policy file in the product). */
  loadPolicy: () => AccessPolicy;
  now: () => Date;
  notifier: Notifier;
  /** Decision audits (group-committed); changes audit inside their own transaction. */
  audit: AuditWriter;
  /** Client ids of the software the service trusts with more than a hospital's rights. */
  clients: TrustedClients;
  feed: FeedSettings;
  /** Decisions answered, by outcome (`access_evaluations_total`). */
  evaluations: Counter<'decision'>;
}

/** The change feed's lease and wake-ups (see `change-feed.ts`). */
export interface FeedSettings {
  /** A follower's lease, and the longest a change waits for acknowledgements. */
  leaseMs: number;
  signal: FeedSignal;
  /** Changes answered after every follower acknowledged them, or on the bound. */
  acknowledgements: Counter<'result'>;
  /** Told which followers did not acknowledge a change within the bound. */
  onUnacknowledged: (followers: string[], seq: number) => void;
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
