import { decide } from './decide';
import type { DecisionInput } from './decision';
import { parseChange, type DocumentChange } from './document-changes';
import { NO_PREFERENCES } from './preferences';
import { DR, doctor, holder, INS, NOW, policy, table, type Case } from '../../test/decision-cases';

function run(c: Case) {
  const input: DecisionInput = {
    subject: { ...doctor, ...c.subject },
    action: c.action ?? 'read',
    dmp: {
      ins: INS,
      state: c.state ?? 'open',
      preferences: { ...NO_PREFERENCES, ...c.preferences },
    },
    ...(c.document ? { document: c.document } : {}),
    ...(c.changes ? { changes: c.changes.map((text) => parseChange(text) as DocumentChange) } : {}),
    policy,
    now: NOW,
  };
  return decide(input);
}

describe('decide (SPEC C.7)', () => {
  it.each(table)('%s: %s', (_rule, _behaviour, c, expectedPermit, reason) => {
    const decision = run(c);

    expect(decision.permit).toBe(expectedPermit);
    expect(decision.reasons.map((r) => r.code)).toContain(reason);
  });

  it('gives a professional search the masking, author exception and matrix obligations', () => {
    const decision = run({ action: 'search', subject: { profession: '80' } });

    expect(decision.obligations).toEqual({
      excludeLabels: ['MASQUE_PS'],
      authorException: { professional: DR, organization: 'ORG-A' },
      allowedClasses: ['42', '44'],
      allowedTypes: ['11488-4'],
      notifyPatient: false,
      auditAs: 'normal',
    });
  });

  it('gives the holder the INVISIBLE_PATIENT cut-off one month back', () => {
    const decision = run({ action: 'search', subject: holder });

    expect(decision.obligations?.excludeLabels).toEqual(['INVISIBLE_PATIENT']);
    expect(decision.obligations?.invisiblePatientCutoff).toBe('2026-06-15T10:00:00.000Z');
  });

  it('keeps a structure to its own submissions in searches', () => {
    const decision = run({ action: 'search', subject: { kind: 'system', id: 'lps-b' } });

    expect(decision.obligations?.submittedBy).toBe('system:lps-b');
  });

  it('flags break-glass in force and asks for the patient to be notified', () => {
    const decision = run({ subject: { accessMode: 'bris_de_glace', accessReason: 'coma' } });

    expect(decision.obligations).toMatchObject({
      emergency: 'bris_de_glace',
      notifyPatient: true,
      auditAs: 'bris_de_glace',
      excludeLabels: ['MASQUE_PS'],
    });
  });
});
