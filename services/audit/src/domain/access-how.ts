import type { AuditEvent, CodeableConcept } from 'fhir/r4';
import { ACCESS_MODE_SYSTEM, ACT_REASON, type AccessHow } from './vocabulary';

/**
 * How an access was made, from the purposes of use of the event and its agents (SPEC D.5): the
 * French mode (TRE_R248) when present, else the HL7 codes (`BTG` = break-glass, `ETREAT` alone =
 * emergency regulation / centre 15), else normal.
 */
export function accessHowOf(event: AuditEvent): AccessHow {
  const purposes: CodeableConcept[] = [
    ...(event.purposeOfEvent ?? []),
    ...(event.agent ?? []).flatMap((agent) => agent.purposeOfUse ?? []),
  ];
  const codings = purposes.flatMap((purpose) => purpose.coding ?? []);
  const mode = codings.find((c) => c.system === ACCESS_MODE_SYSTEM)?.code;
  if (mode === 'bris_de_glace' || mode === 'centre_15') return mode;
  const reasons = new Set(codings.filter((c) => c.system === ACT_REASON).map((c) => c.code));
  if (reasons.has('BTG')) return 'bris_de_glace';
  if (reasons.has('ETREAT')) return 'centre_15';
  return 'normal';
}

export function isBreakGlass(event: AuditEvent): boolean {
  return accessHowOf(event) === 'bris_de_glace';
}
