import type { AuditEventEntityDetail } from 'fhir/r4';

/**
 * What a change of a patient's DMP consent did, carried by the consent service's AuditEvent as
 * one `entity.detail` per change on the Consent entity: `type` is the change, `valueString` its
 * target. The audit service reads them back to tell the patient, in their access history, who
 * changed what. Same shape as the consent service's own change requests.
 */
export const CONSENT_CHANGE_KINDS = [
  'authorize',
  'revoke',
  'block',
  'unblock',
  'emergency-opposition',
  'attending-physician',
  'add-delegate',
  'remove-delegate',
  'hide-everything',
] as const;
export type ConsentChangeKind = (typeof CONSENT_CHANGE_KINDS)[number];

export interface ConsentChangeFact {
  kind: ConsentChangeKind;
  /** idNat_PS of the professional concerned (none: the attending physician was removed). */
  professional?: string;
  /** On/off changes (`emergency-opposition`, `hide-everything`). */
  value?: boolean;
  /** Validity of an authorization (ISO 8601 dates or instants, both ends optional). */
  period?: { start?: string; end?: string };
}

const ON_OFF = new Set<ConsentChangeKind>(['emergency-opposition', 'hide-everything']);
/** `valueString` when the attending physician is removed (a FHIR string cannot be empty; never an idNat_PS). */
const NOBODY = '-';

/**
 * The detail of one change. `valueString`: the idNat_PS, followed for an authorization with a
 * period by a space and an ISO 8601 interval (`start/end`, `..` for an open end); `true` or
 * `false` for on/off changes.
 */
export function consentChangeDetail(change: ConsentChangeFact): AuditEventEntityDetail {
  if (ON_OFF.has(change.kind)) {
    return { type: change.kind, valueString: String(change.value === true) };
  }
  const period = change.period;
  const interval =
    period && (period.start !== undefined || period.end !== undefined)
      ? ` ${period.start ?? '..'}/${period.end ?? '..'}`
      : '';
  return { type: change.kind, valueString: `${change.professional ?? NOBODY}${interval}` };
}

/** The change a detail records; undefined for a detail that is not a consent change. */
export function consentChangeOf(detail: AuditEventEntityDetail): ConsentChangeFact | undefined {
  const kind = CONSENT_CHANGE_KINDS.find((candidate) => candidate === detail.type);
  const value = detail.valueString;
  if (kind === undefined || value === undefined) return undefined;
  if (ON_OFF.has(kind)) return { kind, value: value === 'true' };
  const [professional = NOBODY, interval] = value.split(' ', 2);
  const fact: ConsentChangeFact = { kind };
  if (professional !== NOBODY) fact.professional = professional;
  if (interval !== undefined) {
    const [start, end] = interval.split('/', 2);
    const period: { start?: string; end?: string } = {};
    if (start && start !== '..') period.start = start;
    if (end && end !== '..') period.end = end;
    fact.period = period;
  }
  return fact;
}
