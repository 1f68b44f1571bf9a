import { buildDmpConsent } from '../../../services/consent/src/domain/consent-codec';
import {
  NO_PREFERENCES,
  type PatientPreferences,
} from '../../../services/consent/src/domain/preferences';
import { changesToApply, holds } from './demo-choices';
import { DOCTORS, FIRST_PATIENT_CHANGES } from './demo-data';

/** The DMP Consent the consent service writes for these choices. */
const consentOf = (preferences: Partial<PatientPreferences>) =>
  buildDmpConsent(
    { ...NO_PREFERENCES, ...preferences },
    {
      ins: '255081416802538',
      insSystem: 'urn:oid:1.2.250.1.213.1.4.8',
      patientId: 'p1',
      dateTime: '2026-11-25T10:00:00Z',
      performer: { reference: 'Patient/p1' },
    },
  );

describe('changesToApply (the first patient’s demonstration choices)', () => {
  it('asks for every choice when there is no Consent or it holds none', () => {
    expect(changesToApply(undefined, FIRST_PATIENT_CHANGES)).toEqual(FIRST_PATIENT_CHANGES);
    expect(changesToApply(consentOf({}), FIRST_PATIENT_CHANGES)).toEqual(FIRST_PATIENT_CHANGES);
  });

  it('asks for nothing once the Consent holds them all', () => {
    const consent = consentOf({
      authorized: [{ professional: DOCTORS.authorized }],
      blocked: [DOCTORS.blocked],
    });

    expect(changesToApply(consent, FIRST_PATIENT_CHANGES)).toEqual([]);
  });

  it('asks only for what is missing, e.g. the block after the walkthrough lifted it', () => {
    const consent = consentOf({ authorized: [{ professional: DOCTORS.authorized }] });

    expect(changesToApply(consent, FIRST_PATIENT_CHANGES)).toEqual([
      { type: 'block', professional: DOCTORS.blocked },
    ]);
  });

  it('does not take another kind of choice for the same professional, nor a time-boxed one', () => {
    const authorize = { type: 'authorize', professional: DOCTORS.authorized } as const;

    expect(holds(consentOf({ blocked: [DOCTORS.authorized] }), authorize)).toBe(false);
    expect(holds(consentOf({ attendingPhysician: DOCTORS.authorized }), authorize)).toBe(false);
    expect(
      holds(
        consentOf({
          authorized: [{ professional: DOCTORS.authorized, period: { end: '2026-12-31' } }],
        }),
        authorize,
      ),
    ).toBe(false);
    expect(
      holds(consentOf({ attendingPhysician: DOCTORS.careTeam }), {
        type: 'attending-physician',
        professional: DOCTORS.careTeam,
      }),
    ).toBe(true);
  });
});
