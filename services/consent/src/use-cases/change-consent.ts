import { recordAuditEvent } from '@dmp/audit-trail';
import type { Consent } from 'fhir/r4';
import { FhirError, fhirError } from '@dmp/errors';
import { changeAuditEvent } from '../audit/audit-events';
import { buildDmpConsent, preferencesOf } from '../domain/consent-codec';
import {
  applyChanges,
  NO_PREFERENCES,
  professionalMayApply,
  type PreferenceChange,
} from '../domain/preferences';
import { factsOf, loadDmp, type PatientKey } from '../storage/dmp-repository';
import { announcedChange, patientChange } from './change-feed';
import {
  actorNotAllowed,
  assertPatientBinding,
  isHolder,
  patientRef,
  type Caller,
  type ConsentServices,
} from './context';

export interface ConsentChangeInput {
  key: PatientKey;
  changes: PreferenceChange[];
  /** Optimistic concurrency on the Consent version (If-Match). */
  ifMatch?: string;
}

/** Who may make these changes: the holder any, a professional only what the rules let them. */
function assertMayChange(caller: Caller, input: ConsentChangeInput): void {
  const { actor } = caller;
  assertPatientBinding(actor, input.key);
  if (isHolder(actor, input.key)) return;
  if (actor.kind !== 'practitioner') {
    throw actorNotAllowed(
      'Only the patient, or a professional on their behalf, changes the consent',
    );
  }
  if (
    actor.accessMode !== 'normal' ||
    (actor.attestation !== 'care_team' && actor.attestation !== 'consent')
  ) {
    throw actorNotAllowed(
      "A professional acts on the patient's behalf only in normal mode with an attestation",
    );
  }
  const refused = input.changes.findIndex((change) => !professionalMayApply(change, actor.id));
  if (refused >= 0) {
    throw new FhirError({
      code: 'DMP-CONSENT-ACTOR-NOT-ALLOWED',
      message: 'Only the patient may make this change',
      expression: `Parameters.parameter.where(name='change')[${refused}]`,
    });
  }
}

/**
 * Applies a patient's (or a professional's, on their behalf) changes to the DMP Consent: one
 * new version, validated as a whole, audited and announced on the change feed in the same
 * transaction; answered once the feed's followers forgot their decisions about the patient
 * (see `change-feed.ts`). Nothing changes on error.
 */
export async function changeConsent(
  services: ConsentServices,
  caller: Caller,
  input: ConsentChangeInput,
): Promise<Consent> {
  assertMayChange(caller, input);
  return announcedChange(services, async (tx, announce) => {
    const now = services.now();
    const record = await loadDmp(tx, input.key);
    const facts = factsOf(record);
    if (!record.patient) throw fhirError('DMP-CONSENT-DMP-NOT-FOUND');
    if (facts.state === 'closed') throw fhirError('DMP-CONSENT-DMP-CLOSED');
    if (
      caller.actor.kind === 'practitioner' &&
      facts.preferences.blocked.includes(caller.actor.id)
    ) {
      throw fhirError('DMP-CONSENT-DENIED', 'The patient blocked this professional');
    }
    const current = record.consent ? preferencesOf(record.consent) : NO_PREFERENCES;
    const result = applyChanges(current, input.changes);
    if (!result.ok) {
      throw new FhirError(
        result.problems.map((problem) => ({
          code: 'DMP-CONSENT-CHANGE-INVALID' as const,
          message: problem.message,
          ...(problem.index >= 0
            ? { expression: `Parameters.parameter.where(name='change')[${problem.index}]` }
            : {}),
        })),
      );
    }
    const built = buildDmpConsent(result.preferences, {
      ins: input.key.ins,
      insSystem: input.key.system,
      patientId: record.patient.id ?? '',
      dateTime: now.toISOString(),
      performer: {
        reference: isHolder(caller.actor, input.key)
          ? `Patient/${record.patient.id ?? ''}`
          : patientRef(caller.actor),
      },
    });
    const consent = record.consent
      ? await tx.update<Consent>({ ...built, id: record.consent.id }, { ifMatch: input.ifMatch })
      : await tx.create<Consent>(built);
    await recordAuditEvent(
      tx.outbox,
      changeAuditEvent({
        actor: caller.actor,
        action: record.consent ? 'U' : 'C',
        what: `Consent/${consent.id ?? ''}/_history/${consent.meta?.versionId ?? ''}`,
        description: `DMP consent changed: ${input.changes.map((c) => c.kind).join(', ')}`,
        changes: input.changes,
        patientRef: `Patient/${record.patient.id ?? ''}`,
        ins: input.key.ins,
        insSystem: input.key.system,
        requestId: caller.requestId,
        now,
      }),
    );
    await announce(patientChange(input.key));
    return consent;
  });
}
