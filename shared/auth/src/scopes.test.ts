import { FhirError } from '@dmp/errors';
import type { ActorKind } from './actor';
import { hasScope, type Interaction, parseSmartScope, requireScope } from './scopes';

type Row = [
  scopes: string,
  resourceType: string,
  interaction: Interaction,
  transaction: string | undefined,
  granted: boolean,
];

const table: Row[] = [
  // SMART v2
  ['system/DocumentReference.rs', 'DocumentReference', 'r', undefined, true],
  ['system/DocumentReference.rs', 'DocumentReference', 's', undefined, true],
  ['system/DocumentReference.rs', 'DocumentReference', 'c', undefined, false],
  ['system/DocumentReference.rs', 'Binary', 'r', undefined, false],
  ['user/*.cruds', 'AuditEvent', 'd', undefined, true],
  ['patient/Binary.r', 'Binary', 'r', undefined, true],
  ['patient/Binary.r', 'Binary', 's', undefined, false],
  ['system/Binary.cr', 'Binary', 'c', undefined, true],
  ['patient/DocumentReference.rs?category=foo', 'DocumentReference', 's', undefined, true],
  ['system/DocumentReference.sr', 'DocumentReference', 'r', undefined, false], // out of order
  ['system/DocumentReference.rrs', 'DocumentReference', 'r', undefined, false], // duplicate
  ['system/DocumentReference.x', 'DocumentReference', 'r', undefined, false],
  ['DocumentReference.rs', 'DocumentReference', 'r', undefined, false], // no context
  ['other/DocumentReference.rs', 'DocumentReference', 'r', undefined, false],
  // SMART v1
  ['user/DocumentReference.read', 'DocumentReference', 's', undefined, true],
  ['user/DocumentReference.read', 'DocumentReference', 'u', undefined, false],
  ['system/List.write', 'List', 'c', undefined, true],
  ['system/List.write', 'List', 'r', undefined, false],
  ['patient/*.*', 'Binary', 'd', undefined, true],
  // IUA transaction aliases
  ['ITI-65', 'List', 'c', undefined, true],
  ['ITI-65', 'DocumentReference', 'u', 'ITI-65', true],
  ['ITI-65', 'Binary', 'c', 'ITI-65', true],
  ['ITI-65', 'DocumentReference', 'r', undefined, false],
  ['ITI-65', 'DocumentReference', 'c', 'ITI-105', false], // alias only for its own transaction
  ['ITI-66', 'List', 's', undefined, true],
  ['ITI-67', 'DocumentReference', 's', 'ITI-67', true],
  ['ITI-67', 'Binary', 'r', undefined, false],
  ['ITI-68', 'Binary', 'r', 'ITI-68', true],
  ['ITI-105', 'DocumentReference', 'c', 'ITI-105', true],
  ['ITI-105', 'DocumentReference', 'u', undefined, false],
  ['ITI-20', 'AuditEvent', 'c', undefined, true],
  ['ITI-81', 'AuditEvent', 's', 'ITI-81', true],
  ['ITI-81', 'AuditEvent', 'c', undefined, false],
  ['iti-65', 'List', 'c', undefined, false], // exact spelling only
  // SMART scopes satisfy any transaction; several scopes combine
  ['system/DocumentReference.cu', 'DocumentReference', 'c', 'ITI-65', true],
  ['openid profile ITI-67 system/Binary.r', 'Binary', 'r', 'ITI-68', true],
  ['', 'Binary', 'r', undefined, false],
];

describe('hasScope', () => {
  it.each(table)(
    'scopes "%s" → %s.%s (transaction %s) granted: %s',
    (scopes, type, i, tx, granted) => {
      const actor = { scopes: scopes.split(' ').filter(Boolean) };
      expect(hasScope(actor, type, i, tx)).toBe(granted);
    },
  );
});

describe('parseSmartScope', () => {
  it('keeps the ignored query suffix visible to callers', () => {
    expect(parseSmartScope('patient/DocumentReference.rs?category=x')).toMatchObject({
      context: 'patient',
      resourceType: 'DocumentReference',
      query: 'category=x',
    });
  });
});

describe('requireScope', () => {
  it.each<[ActorKind, string]>([
    ['practitioner', 'user/DocumentReference.c'],
    ['patient', 'patient/DocumentReference.c'],
    ['system', 'system/DocumentReference.c'],
  ])('when a %s lacks the scope, throws 403 naming %s', (kind, needed) => {
    const act = () =>
      requireScope({ kind, scopes: ['user/Binary.r'] }, 'DocumentReference', 'c', 'ITI-65');
    expect(act).toThrow(FhirError);
    try {
      act();
    } catch (error) {
      const fhir = error as FhirError;
      expect(fhir.status).toBe(403);
      expect(fhir.code).toBe('DMP-AUTH-SCOPE-INSUFFICIENT');
      expect(fhir.message).toBe(`This interaction needs scope ${needed} or ITI-65.`);
      expect(fhir.headers['WWW-Authenticate']).toContain(`error="insufficient_scope"`);
      expect(fhir.headers['WWW-Authenticate']).toContain(`scope="${needed}"`);
    }
  });

  it('returns quietly when the scope is granted', () => {
    expect(() =>
      requireScope({ kind: 'system', scopes: ['ITI-67'] }, 'DocumentReference', 's'),
    ).not.toThrow();
  });
});
