import type { Consent, ConsentProvision } from 'fhir/r4';
import type { ConsentChange } from './demo-data';

/**
 * Which of a patient's demonstration choices their DMP Consent does not hold yet, so that the
 * seed asks only for those: a second run changes nothing (no new Consent version). Reads the
 * Consent as the consent service writes it: one nested provision per choice, the professional
 * as `Practitioner/<idNat_PS>` with its identifier, role IRCP for an authorized (permit) or
 * blocked (deny) professional, PCP for the médecin traitant.
 */

/** The identifier system of the patient's one DMP Consent (`identifier=<system>|<INS>`). */
export const DMP_CONSENT_IDENTIFIER = 'https://dmp.example.fr/fhir/NamingSystem/dmp-consent';

const EXPECTED: Record<ConsentChange['type'], { type: 'permit' | 'deny'; role: string }> = {
  authorize: { type: 'permit', role: 'IRCP' },
  block: { type: 'deny', role: 'IRCP' },
  'attending-physician': { type: 'permit', role: 'PCP' },
};

function professionalOf(provision: ConsentProvision): string | undefined {
  const reference = provision.actor?.[0]?.reference;
  return reference?.identifier?.value ?? reference?.reference?.replace(/^Practitioner\//, '');
}

/** Whether the Consent already holds this choice (an authorization without an end date). */
export function holds(consent: Consent | undefined, change: ConsentChange): boolean {
  const expected = EXPECTED[change.type];
  return (consent?.provision?.provision ?? []).some(
    (provision) =>
      provision.type === expected.type &&
      provision.actor?.[0]?.role.coding?.[0]?.code === expected.role &&
      professionalOf(provision) === change.professional &&
      (change.type !== 'authorize' || provision.period === undefined),
  );
}

/** The changes the Consent does not hold yet, in their order. */
export function changesToApply(
  consent: Consent | undefined,
  changes: readonly ConsentChange[],
): ConsentChange[] {
  return changes.filter((change) => !holds(consent, change));
}
