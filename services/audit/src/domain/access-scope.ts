import type { AuditEvent, Identifier, Reference } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import type { SearchFilter, TokenFilter } from '@dmp/fhir';
import { IDNAT_PS_SYSTEM } from './vocabulary';

/**
 * What part of the audit trail a caller may read (SPEC C.5.2, D.6): auditors everything, a patient
 * the events about themself (their INS as the patient entity) and their own answered actions, a
 * professional their own answered actions (their idNat_PS as an agent). Systems and anyone else:
 * nothing (403).
 *
 * Refusals (outcome other than 0) are for auditors and the patient they are about, never for the
 * refused caller: the services answer a refused read 404 like an unknown id, so that the caller
 * learns neither that the id exists, nor whose it is, nor why it was refused; the refusal's
 * event names the patient, the document and the real reason, and showing it back would undo that.
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

/** Events of an answered request (outcome 0, success). */
const ANSWERED: TokenFilter = {
  kind: 'token',
  param: 'outcome',
  negate: false,
  anyOf: [{ code: '0' }],
};

/** The filters ANDed to every search of a restricted caller. */
export function scopeFilters(scope: ReadScope): SearchFilter[] {
  switch (scope.kind) {
    case 'all':
      return [];
    case 'patient': {
      const ins = { system: scope.identifier.system, code: scope.identifier.value };
      return [
        {
          kind: 'chain',
          param: 'patient',
          targetType: 'Patient',
          target: { kind: 'token', param: 'identifier', negate: false, anyOf: [ins] },
        },
        {
          kind: 'any',
          anyOf: [ANSWERED, { kind: 'token', param: 'entity-id', negate: false, anyOf: [ins] }],
        },
      ];
    }
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
        ANSWERED,
      ];
  }
}

/** The same rule on one event (read by id). */
export function isVisibleTo(scope: ReadScope, event: AuditEvent): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'patient': {
      const isTheirs = (ref: Reference | undefined) =>
        ref?.identifier?.value === scope.identifier.value &&
        (scope.identifier.system === undefined ||
          ref.identifier.system === scope.identifier.system);
      const aboutThem = (event.entity ?? []).some((e) => isTheirs(e.what));
      const byThem = (event.agent ?? []).some((a) => isTheirs(a.who));
      return aboutThem || (byThem && event.outcome === '0');
    }
    case 'professional':
      return (
        event.outcome === '0' &&
        (event.agent ?? []).some(
          (agent) =>
            agent.who?.identifier?.value === scope.id &&
            agent.who.identifier.system === IDNAT_PS_SYSTEM,
        )
      );
  }
}

function denied(message: string) {
  return fhirError('DMP-AUDIT-ACCESS-DENIED', message);
}
