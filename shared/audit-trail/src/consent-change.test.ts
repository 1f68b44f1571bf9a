import { consentChangeDetail, consentChangeOf, type ConsentChangeFact } from './consent-change';

describe('consent changes as AuditEvent entity details', () => {
  it.each<[ConsentChangeFact, string]>([
    [{ kind: 'block', professional: '810000000666' }, '810000000666'],
    [{ kind: 'unblock', professional: '810000000666' }, '810000000666'],
    [{ kind: 'authorize', professional: '810000000011' }, '810000000011'],
    [
      {
        kind: 'authorize',
        professional: '810000000011',
        period: { start: '2026-01-01', end: '2026-06-30' },
      },
      '810000000011 2026-01-01/2026-06-30',
    ],
    [
      { kind: 'authorize', professional: '810000000011', period: { end: '2026-06-30' } },
      '810000000011 ../2026-06-30',
    ],
    [{ kind: 'revoke', professional: '810000000011' }, '810000000011'],
    [{ kind: 'attending-physician', professional: '810000000002' }, '810000000002'],
    [{ kind: 'attending-physician' }, '-'],
    [{ kind: 'add-delegate', professional: '810000000003' }, '810000000003'],
    [{ kind: 'remove-delegate', professional: '810000000003' }, '810000000003'],
    [{ kind: 'emergency-opposition', value: true }, 'true'],
    [{ kind: 'hide-everything', value: false }, 'false'],
  ])('records %j as one detail and reads it back', (change, valueString) => {
    const detail = consentChangeDetail(change);

    expect(detail).toEqual({ type: change.kind, valueString });
    expect(consentChangeOf(detail)).toEqual(change);
  });

  it('ignores details that are not consent changes', () => {
    expect(consentChangeOf({ type: 'reason', valueString: 'Coma' })).toBeUndefined();
    expect(consentChangeOf({ type: 'block', valueBase64Binary: 'AA==' })).toBeUndefined();
  });
});
