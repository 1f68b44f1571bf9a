import type { AuditEvent, AuditEventEntity } from 'fhir/r4';
import { consentChangeOf, type ConsentChangeFact } from '@dmp/audit-trail';
import { OBJECT_ROLE } from './vocabulary';

/**
 * A change of the DMP itself as the patient's history shows it: their consent choices (the
 * `Consent/…` entity), or the state of their DMP (the `Patient/…` entity: opened, closed,
 * re-opened), with a sentence saying what changed.
 */
export interface RecordChange {
  what: 'consent-changed' | 'dmp-changed';
  change?: string;
}

/** The change an event records, when it is a change of the consent or the DMP state. */
export function recordChangeOf(event: AuditEvent): RecordChange | undefined {
  const changed = (event.entity ?? []).find(
    (entity) => entity.role?.system === OBJECT_ROLE && entity.role.code === '4',
  );
  const reference = changed?.what?.reference ?? '';
  if (!changed || !/^(Consent|Patient)\//.test(reference)) return undefined;
  const what = reference.startsWith('Consent/') ? 'consent-changed' : 'dmp-changed';
  const change = describeChanges(changed) ?? event.outcomeDesc;
  return change ? { what, change } : { what };
}

function describeChanges(entity: AuditEventEntity): string | undefined {
  const facts = (entity.detail ?? []).flatMap((detail) => consentChangeOf(detail) ?? []);
  return facts.length > 0 ? facts.map(describe).join('; ') : undefined;
}

/** One change in words, the professional named by idNat_PS (what the patient chose them by). */
export function describe(change: ConsentChangeFact): string {
  const who = `professional ${change.professional ?? '?'}`;
  switch (change.kind) {
    case 'authorize':
      return `authorized ${who}${periodText(change.period)}`;
    case 'revoke':
      return `withdrew the authorization of ${who}`;
    case 'block':
      return `blocked ${who}`;
    case 'unblock':
      return `unblocked ${who}`;
    case 'attending-physician':
      return change.professional === undefined
        ? 'removed the attending physician'
        : `named ${who} attending physician`;
    case 'add-delegate':
      return `named ${who} delegate of the attending physician`;
    case 'remove-delegate':
      return `removed ${who} as delegate of the attending physician`;
    case 'emergency-opposition':
      return change.value
        ? 'objected to emergency access (break-glass, centre 15)'
        : 'withdrew the objection to emergency access';
    case 'hide-everything':
      return change.value
        ? 'hid the whole DMP from professionals'
        : 'showed the DMP to professionals again';
  }
}

function periodText(period: ConsentChangeFact['period']): string {
  if (!period) return '';
  const from = period.start !== undefined ? ` from ${period.start}` : '';
  const until = period.end !== undefined ? ` until ${period.end}` : '';
  return `${from}${until}`;
}
