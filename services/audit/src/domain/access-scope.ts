import type { AuditEvent, Identifier } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import type { SearchFilter } from '@dmp/fhir';
import { IDNAT_PS_SYSTEM } from './vocabulary';

/**
 * What part of the audit trail a caller may read (SPEC C.5.2, D.6): auditors everything, a patient
 * the events about themself (their INS as the patient entity), a professional their own actions
 * (their idNat_PS as an agent). Systems and anyone else: nothing (403).
 */
export type ReadScope =
  | { kind: 'all' }
  | { kind: 'patient'; identifier: Identifier & { value: string } }
  | { kind: 'professional'; id: string };

export function readScopeOf(actor: Actor): ReadScope {
  switch (actor.kind) {
    case 'auditor':
      return { kind: 'all' };
    case 'patient': {
      const value = actor.patient?.value;
      if (!value) throw denied('The patient token names no patient (ihe_iua.person_id)');
      return { kind: 'patient', identifier: { ...actor.patient, value } };
    }
    case 'practitioner':
      return { kind: 'professional', id: actor.nationalProviderId ?? actor.id };
    case 'system':
      throw denied('Systems record audit events; they do not read them');
  }
}

/** The filters ANDed to every search of a restricted caller. */
export function scopeFilters(scope: ReadScope): SearchFilter[] {
  switch (scope.kind) {
    case 'all':
      return [];
    case 'patient':
      return [
        {
          kind: 'chain',
          param: 'patient',
          targetType: 'Patient',
          target: {
            kind: 'token',
            param: 'identifier',
            negate: false,
            anyOf: [{ system: scope.identifier.system, code: scope.identifier.value }],
          },
        },
      ];
    case 'professional':
      return [
        {
          kind: 'chain',
          param: 'agent',
          targetType: 'Practitioner',
          target: {
            kind: 'token',
            param: 'identifier',
            negate: false,
            anyOf: [{ system: IDNAT_PS_SYSTEM, code: scope.id }],
          },
        },
      ];
  }
}

/** The same rule on one event (read by id). */
export function isVisibleTo(scope: ReadScope, event: AuditEvent): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'patient':
      return [
        ...(event.entity ?? []).map((e) => e.what),
        ...(event.agent ?? []).map((a) => a.who),
      ].some(
        (ref) =>
          ref?.identifier?.value === scope.identifier.value &&
          (scope.identifier.system === undefined ||
            ref.identifier.system === scope.identifier.system),
      );
    case 'professional':
      return (event.agent ?? []).some(
        (agent) =>
          agent.who?.identifier?.value === scope.id &&
          agent.who.identifier.system === IDNAT_PS_SYSTEM,
      );
  }
}

function denied(message: string) {
  return fhirError('DMP-AUDIT-ACCESS-DENIED', message);
}

/** Is the caller, a patient, the patient this event is about (an entity, not only its agent)? */
function isAboutThem(scope: ReadScope, event: AuditEvent): boolean {
  if (scope.kind !== 'patient') return false;
  return (event.entity ?? []).some(
    (e) =>
      e.what?.identifier?.value === scope.identifier.value &&
      (scope.identifier.system === undefined ||
        e.what.identifier.system === scope.identifier.system),
  );
}

/**
 * What a restricted reader sees of an event. A refusal's real reason (`outcomeDesc`: "masked",
 * "not the holder", "no DMP"…) is the auditor's and the record holder's: the services answer
 * the refused caller 404 like an unknown id precisely so that they learn neither that the id
 * exists nor that the patient masked it, and the caller reads their own actions here. So the
 * reason of a failed event is left out for anyone but an auditor or the patient it is about.
 */
export function shownTo(scope: ReadScope, event: AuditEvent): AuditEvent {
  if (scope.kind === 'all' || event.outcome === '0' || event.outcome === undefined) return event;
  if (isAboutThem(scope, event)) return event;
  const { outcomeDesc: _reason, ...rest } = event;
  return rest;
}
