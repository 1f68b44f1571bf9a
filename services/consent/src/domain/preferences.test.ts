import { buildDmpConsent, preferencesOf } from './consent-codec';
import {
  applyChanges,
  isAuthorizationActive,
  NO_PREFERENCES,
  professionalMayApply,
} from './preferences';

describe('applyChanges', () => {
  it('applies every change of a request, in order', () => {
    const result = applyChanges(NO_PREFERENCES, [
      { kind: 'authorize', professional: 'A', period: { start: '2026-01-01', end: '2026-12-31' } },
      { kind: 'block', professional: 'B' },
      { kind: 'emergency-opposition', value: true },
      { kind: 'attending-physician', professional: 'C' },
      { kind: 'add-delegate', professional: 'D' },
    ]);

    expect(result).toEqual({
      ok: true,
      preferences: {
        authorized: [{ professional: 'A', period: { start: '2026-01-01', end: '2026-12-31' } }],
        blocked: ['B'],
        emergencyOpposition: true,
        attendingPhysician: 'C',
        delegates: ['D'],
        hideEverything: false,
      },
    });
  });

  it.each([
    [
      'block and unblock the same professional',
      [
        { kind: 'block', professional: 'A' },
        { kind: 'unblock', professional: 'A' },
      ],
    ],
    [
      'set a toggle both ways',
      [
        { kind: 'hide-everything', value: true },
        { kind: 'hide-everything', value: false },
      ],
    ],
    [
      'authorize a professional it blocks',
      [
        { kind: 'authorize', professional: 'A' },
        { kind: 'block', professional: 'A' },
      ],
    ],
    [
      'give a period that ends before it starts',
      [
        {
          kind: 'authorize',
          professional: 'A',
          period: { start: '2026-02-01', end: '2026-01-01' },
        },
      ],
    ],
    [
      'block the médecin traitant',
      [
        { kind: 'attending-physician', professional: 'A' },
        { kind: 'block', professional: 'A' },
      ],
    ],
    ['contain no change at all', []],
  ] as const)('refuses a request that would %s', (_name, changes) => {
    const result = applyChanges(NO_PREFERENCES, changes);

    expect(result.ok).toBe(false);
  });

  it('refuses to authorize a professional blocked earlier until they are unblocked', () => {
    const blocked = { ...NO_PREFERENCES, blocked: ['A'] };

    expect(applyChanges(blocked, [{ kind: 'authorize', professional: 'A' }]).ok).toBe(false);
    expect(
      applyChanges(blocked, [
        { kind: 'unblock', professional: 'A' },
        { kind: 'authorize', professional: 'A' },
      ]).ok,
    ).toBe(true);
  });
});

describe('what a professional may change on the patient behalf', () => {
  it('allows recording an authorization and declaring oneself médecin traitant, nothing else', () => {
    expect(professionalMayApply({ kind: 'authorize', professional: 'X' }, 'ME')).toBe(true);
    expect(professionalMayApply({ kind: 'attending-physician', professional: 'ME' }, 'ME')).toBe(
      true,
    );
    expect(professionalMayApply({ kind: 'attending-physician', professional: 'X' }, 'ME')).toBe(
      false,
    );
    expect(professionalMayApply({ kind: 'block', professional: 'X' }, 'ME')).toBe(false);
    expect(professionalMayApply({ kind: 'emergency-opposition', value: false }, 'ME')).toBe(false);
  });
});

describe('authorization periods', () => {
  it('counts a date-only end as the whole day', () => {
    const entry = { professional: 'A', period: { end: '2026-07-15' } };

    expect(isAuthorizationActive(entry, new Date('2026-07-15T23:00:00Z'))).toBe(true);
    expect(isAuthorizationActive(entry, new Date('2026-07-16T00:00:01Z'))).toBe(false);
  });
});

describe('the DMP Consent codec', () => {
  it('gives back the same choices it encoded', () => {
    const preferences = {
      authorized: [{ professional: 'A', period: { end: '2026-12-31' } }, { professional: 'E' }],
      blocked: ['B'],
      emergencyOpposition: true,
      attendingPhysician: 'C',
      delegates: ['D'],
      hideEverything: true,
    };

    const consent = buildDmpConsent(preferences, {
      ins: '279035121518989',
      insSystem: 'urn:oid:1.2.250.1.213.1.4.8',
      patientId: 'p1',
      dateTime: '2026-07-15T10:00:00Z',
      performer: { reference: 'Patient/p1' },
    });

    expect(consent.scope.coding?.[0]?.code).toBe('patient-privacy');
    expect(preferencesOf(consent)).toEqual(preferences);
  });
});
