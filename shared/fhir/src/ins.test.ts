import {
  INS_NIA_SYSTEM,
  INS_NIR_DEMO_SYSTEM,
  INS_NIR_SYSTEM,
  INS_NIR_TEST_SYSTEM,
  checkIns,
  isInsSystem,
} from './ins';

describe('checkIns', () => {
  it.each([
    ['255081416802538', 'the SPEC B.7 vector'],
    ['178059933010817', 'the second SPEC B.7 vector'],
    ['284062A00412371', 'a Corsica 2A number (2A counted as 19)'],
    ['184062B00412351', 'a Corsica 2B number (2B counted as 18)'],
    ['755081416802579', 'a temporary number with sex digit 7'],
  ])('accepts %s (%s)', (value) => {
    expect(checkIns(value)).toEqual({ valid: true });
  });

  it.each([
    ['255081416802539', 'the control key does not match'],
    ['284062A00412372', 'the control key does not match'],
    ['25508141680253', 'an INS has 15 characters'],
    ['2550814168025388', 'an INS has 15 characters'],
    ['', 'an INS has 15 characters'],
    ['25508141680253A', 'an INS has digits only, except 2A/2B for Corsica'],
    ['2550814168025 8', 'an INS has digits only, except 2A/2B for Corsica'],
    ['284062C00412371', 'an INS has digits only, except 2A/2B for Corsica'],
    ['355081416802538', 'the sex digit must be 1, 2, 7 or 8'],
  ])('refuses %s: %s', (value, reason) => {
    expect(checkIns(value)).toEqual({ valid: false, reason });
  });

  it('never echoes the value in the reason', () => {
    const result = checkIns('255081416802539');

    expect(result.valid).toBe(false);
    expect(JSON.stringify(result)).not.toContain('2550814168025');
  });
});

describe('isInsSystem', () => {
  it('knows the four INS systems and nothing else', () => {
    for (const system of [
      INS_NIR_SYSTEM,
      INS_NIA_SYSTEM,
      INS_NIR_TEST_SYSTEM,
      INS_NIR_DEMO_SYSTEM,
    ]) {
      expect(isInsSystem(system)).toBe(true);
    }
    expect(isInsSystem('1.2.250.1.213.1.4.1')).toBe(false);
    expect(isInsSystem('urn:oid:1.2.250.1.213.1.4.2')).toBe(false);
    expect(isInsSystem(undefined)).toBe(false);
  });
});
