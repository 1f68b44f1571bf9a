import { FhirError } from '@dmp/errors';
import type { JWTPayload } from 'jose';
import { actorFromClaims } from './claims';
import { INS_NIR_SYSTEM } from './constants';
import { practitionerClaims, TEST_ISSUER } from './testing/token-fixtures';

const INS = '255081416802538';
const BTG = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' };

/** practitionerClaims with `ihe_iua` / `fr_dmp` members replaced (undefined deletes). */
function withExtensions(iua: Record<string, unknown>, dmp: Record<string, unknown>): JWTPayload {
  const base = practitionerClaims();
  const ext = base['extensions'] as {
    ihe_iua: Record<string, unknown>;
    fr_dmp: Record<string, unknown>;
  };
  return {
    ...base,
    extensions: { ihe_iua: { ...ext.ihe_iua, ...iua }, fr_dmp: { ...ext.fr_dmp, ...dmp } },
  };
}

function invalidMessage(payload: JWTPayload): string {
  try {
    actorFromClaims(payload);
  } catch (error) {
    if (
      error instanceof FhirError &&
      error.code === 'DMP-AUTH-TOKEN-INVALID' &&
      error.status === 401
    ) {
      return error.message;
    }
    throw error;
  }
  throw new Error('expected the claims to be rejected');
}

describe('actorFromClaims: actors', () => {
  it('maps a practitioner token onto the Actor, deriving the G15 profession', () => {
    const payload = practitionerClaims();
    const actor = actorFromClaims(payload);
    expect(actor).toEqual({
      kind: 'practitioner',
      id: '810000000042',
      name: 'Dr Test',
      clientId: 'lps-test',
      organizationId: '1750000001',
      organizationName: 'CH Test',
      nationalProviderId: '810000000042',
      roles: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
      profession: '10',
      purposeOfUse: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' },
      ],
      accessMode: 'normal',
      attestation: 'care_team',
      scopes: ['user/DocumentReference.rs', 'user/Binary.r'],
      tokenId: payload.jti,
      issuer: TEST_ISSUER,
      expiresAt: payload.exp,
    });
  });

  it('maps a patient token with its INS as person_id', () => {
    const actor = actorFromClaims({
      iss: TEST_ISSUER,
      sub: INS,
      scope: 'patient/*.rs',
      extensions: {
        ihe_iua: { person_id: { system: INS_NIR_SYSTEM, value: INS } },
        fr_dmp: { actor_kind: 'patient' },
      },
    });
    expect(actor).toMatchObject({ kind: 'patient', id: INS, accessMode: 'normal', roles: [] });
    expect(actor.patient).toEqual({ system: INS_NIR_SYSTEM, value: INS });
  });

  it('maps system and auditor tokens without IUA subject attributes', () => {
    for (const kind of ['system', 'auditor'] as const) {
      const actor = actorFromClaims({
        iss: TEST_ISSUER,
        sub: `svc-${kind}`,
        client_id: `svc-${kind}`,
        scope: 'system/AuditEvent.rs',
        extensions: { fr_dmp: { actor_kind: kind } },
      });
      expect(actor).toMatchObject({ kind, id: `svc-${kind}`, clientId: `svc-${kind}` });
      expect(actor.profession).toBeUndefined();
    }
  });

  it.each([
    ['a system|value string', `${INS_NIR_SYSTEM}|${INS}`],
    ['a CX string', `${INS}^^^&1.2.250.1.213.1.4.8&ISO^NH`],
  ])('accepts person_id as %s', (_label, personId) => {
    const actor = actorFromClaims(withExtensions({ person_id: personId }, {}));
    expect(actor.patient).toEqual({ system: INS_NIR_SYSTEM, value: INS });
  });

  it('reads explicit_consent as the consent attestation', () => {
    expect(
      actorFromClaims(withExtensions({}, { attestation: 'explicit_consent' })).attestation,
    ).toBe('consent');
  });
});

describe('actorFromClaims: break-glass and emergency rules', () => {
  it('accepts break-glass by a practitioner with a reason, from fr_dmp.access_mode', () => {
    const actor = actorFromClaims(
      withExtensions({}, { access_mode: 'bris_de_glace', access_reason: 'Patient inconscient' }),
    );
    expect(actor).toMatchObject({
      accessMode: 'bris_de_glace',
      accessReason: 'Patient inconscient',
    });
  });

  it('derives break-glass from a BTG purpose of use', () => {
    const actor = actorFromClaims(
      withExtensions({ purpose_of_use: [BTG] }, { access_reason: 'Coma' }),
    );
    expect(actor.accessMode).toBe('bris_de_glace');
  });

  it('derives centre_15 from a TRE_R248 purpose of use', () => {
    const r248 = { system: 'urn:oid:1.2.250.1.213.1.1.4.248', code: 'centre_15' };
    expect(actorFromClaims(withExtensions({ purpose_of_use: [r248] }, {})).accessMode).toBe(
      'centre_15',
    );
  });

  it.each([
    ['break-glass without a reason', {}, { access_mode: 'bris_de_glace' }, 'access_reason'],
    [
      'break-glass with a blank reason',
      {},
      { access_mode: 'bris_de_glace', access_reason: ' ' },
      'access_reason',
    ],
    [
      'break-glass by a system',
      {},
      { actor_kind: 'system', access_mode: 'bris_de_glace', access_reason: 'x' },
      'practitioner',
    ],
    [
      'break-glass by a patient',
      { person_id: `${INS_NIR_SYSTEM}|${INS}` },
      { actor_kind: 'patient', access_mode: 'bris_de_glace', access_reason: 'x' },
      'practitioner',
    ],
    [
      'centre_15 by an auditor',
      {},
      { actor_kind: 'auditor', access_mode: 'centre_15' },
      'practitioner',
    ],
    [
      'a BTG purpose with a normal mode',
      { purpose_of_use: [BTG] },
      { access_mode: 'normal' },
      'disagree',
    ],
  ])('rejects %s with 401', (_label, iua, dmp, fragment) => {
    expect(invalidMessage(withExtensions(iua, dmp))).toContain(fragment);
  });
});

describe('actorFromClaims: claim shapes', () => {
  it.each([
    [
      'subject_role not an array',
      { subject_role: { code: '10' } },
      {},
      'extensions.ihe_iua.subject_role',
    ],
    [
      'a Coding without code',
      { purpose_of_use: [{ system: 'x' }] },
      {},
      'extensions.ihe_iua.purpose_of_use',
    ],
    ['subject_name not a string', { subject_name: 42 }, {}, 'extensions.ihe_iua.subject_name'],
    [
      'person_id without value',
      { person_id: { system: INS_NIR_SYSTEM } },
      {},
      'extensions.ihe_iua.person_id',
    ],
    ['person_id as a bare number string', { person_id: INS }, {}, 'extensions.ihe_iua.person_id'],
    ['an unknown actor_kind', {}, { actor_kind: 'robot' }, 'extensions.fr_dmp.actor_kind'],
    ['a missing actor_kind', {}, { actor_kind: undefined }, 'extensions.fr_dmp.actor_kind'],
    ['an unknown access_mode', {}, { access_mode: 'panic' }, 'extensions.fr_dmp.access_mode'],
    ['access_reason not a string', {}, { access_reason: ['x'] }, 'extensions.fr_dmp.access_reason'],
    ['an unknown attestation', {}, { attestation: 'trust_me' }, 'extensions.fr_dmp.attestation'],
  ])('rejects %s, naming the claim', (_label, iua, dmp, claim) => {
    expect(invalidMessage(withExtensions(iua, dmp))).toContain(claim);
  });

  it('reads a top-level fr_dmp as an alias, but refuses a token carrying both', () => {
    const { extensions, ...rest } = practitionerClaims() as { extensions: { fr_dmp: unknown } };
    const moved = {
      ...rest,
      extensions: { ...extensions, fr_dmp: undefined },
      fr_dmp: extensions.fr_dmp,
    };
    expect(actorFromClaims(moved).kind).toBe('practitioner');
    const both = { ...practitionerClaims(), fr_dmp: { actor_kind: 'system' } };
    expect(invalidMessage(both)).toContain('conflict');
  });

  it('treats a missing scope as no scopes', () => {
    const { scope: _scope, ...claims } = practitionerClaims();
    expect(actorFromClaims(claims).scopes).toEqual([]);
  });

  it('rejects a token without fr_dmp, a non-string scope, and a patient scope without person_id', () => {
    expect(invalidMessage({ ...practitionerClaims(), extensions: {} })).toContain(
      'extensions.fr_dmp',
    );
    expect(invalidMessage({ ...practitionerClaims(), scope: ['user/*.rs'] })).toContain('scope');
    expect(invalidMessage({ ...practitionerClaims(), scope: 'patient/*.rs' })).toContain(
      'person_id',
    );
  });

  it('never puts claim values in the message', () => {
    expect(invalidMessage(withExtensions({ person_id: INS }, {}))).not.toContain(INS);
  });
});
