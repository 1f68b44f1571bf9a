import { decide } from './decide';
import type { DecisionInput, SubjectFacts } from './decision';
import { permitReuse } from './permit-reuse';
import { NO_PREFERENCES, type PatientPreferences } from './preferences';
import type { ActionName } from './vocabulary';
import { DR, doctor, holder, INS, NOW, policy } from '../../test/decision-cases';

const HOUR = 3_600_000;

function reuseOf(
  subject: Partial<SubjectFacts>,
  preferences: Partial<PatientPreferences> = {},
  action: ActionName = 'search',
) {
  const input: DecisionInput = {
    subject: { ...doctor, ...subject },
    action,
    dmp: { ins: INS, state: 'open', preferences: { ...NO_PREFERENCES, ...preferences } },
    policy,
    now: NOW,
  };
  return permitReuse(input, decide(input));
}

const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

describe('permitReuse: what the change feed cannot announce is time', () => {
  it.each<[string, Partial<SubjectFacts>, Partial<PatientPreferences>, unknown]>([
    ['a care-team permit, without a time bound', {}, {}, {}],
    ['the médecin traitant', { attestation: undefined }, { attendingPhysician: DR }, {}],
    [
      'a permit resting on an authorization, until its end',
      { attestation: undefined },
      { authorized: [{ professional: DR, period: { end: at(HOUR) } }] },
      { withinMs: HOUR },
    ],
    [
      'a care-team permit, until an authorization of the same professional starts',
      {},
      { authorized: [{ professional: DR, period: { start: at(2 * HOUR) } }] },
      { withinMs: 2 * HOUR },
    ],
    [
      'a date-only end covers its whole day',
      { attestation: undefined },
      { authorized: [{ professional: DR, period: { end: '2026-07-15' } }] },
      { withinMs: 14 * HOUR },
    ],
  ])('reusable: %s', (_case, subject, preferences, expected) => {
    expect(reuseOf(subject, preferences)).toEqual(expected);
  });

  it.each<[string, Partial<SubjectFacts>, Partial<PatientPreferences>]>([
    ['a denial', { attestation: undefined }, {}],
    ['a blocked professional', {}, { blocked: [DR] }],
    ['break-glass', { accessMode: 'bris_de_glace', accessReason: 'coma' }, {}],
    ['centre 15', { accessMode: 'centre_15', attestation: 'regulation' }, {}],
    ["the holder's search (its INVISIBLE_PATIENT cut-off moves with the clock)", holder, {}],
  ])('never reused: %s', (_case, subject, preferences) => {
    expect(reuseOf(subject, preferences)).toBeUndefined();
  });

  it('software and the holder feeding are reusable', () => {
    expect(reuseOf({ kind: 'system', id: 'lps-a', attestation: undefined }, {}, 'create')).toEqual(
      {},
    );
    expect(reuseOf(holder, {}, 'create')).toEqual({});
  });
});
