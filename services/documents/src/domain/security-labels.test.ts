import { CONFIDENTIALITY_SYSTEM, normalizeSecurityLabels, TRE_A08_SYSTEM } from './security-labels';

describe('security label normalization', () => {
  it('treats N under the HL7 and the NOS TRE_A08 URLs as one label, stored under HL7', () => {
    const labels = normalizeSecurityLabels([
      { coding: [{ system: TRE_A08_SYSTEM, code: 'N' }] },
      { coding: [{ system: CONFIDENTIALITY_SYSTEM, code: 'N' }] },
    ]);

    expect(labels).toEqual([{ coding: [{ system: CONFIDENTIALITY_SYSTEM, code: 'N' }] }]);
  });

  it('keeps visibility flags next to the confidentiality code', () => {
    const masked = { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.13', code: 'MASQUE_PS' }] };

    const labels = normalizeSecurityLabels([
      { coding: [{ system: CONFIDENTIALITY_SYSTEM, code: 'N' }] },
      masked,
    ]);

    expect(labels).toHaveLength(2);
  });
});
