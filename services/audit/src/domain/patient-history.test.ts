import type { AuditEvent, AuditEventAgent, AuditEventEntity } from 'fhir/r4';
import { consentChangeDetail } from '@dmp/audit-trail';
import { historyLineOf, historyLineParameter } from './patient-history';
import { IDNAT_PS_SYSTEM, OBJECT_ROLE } from './vocabulary';

const INS = { system: 'urn:oid:1.2.250.1.213.1.4.8', value: '255081416802538' };

const holder: AuditEventAgent = {
  who: { type: 'Patient', identifier: INS, display: 'Patient 255081416802538' },
  name: 'Patient 255081416802538',
  requestor: true,
};
const professional: AuditEventAgent = {
  who: {
    type: 'Practitioner',
    identifier: { system: IDNAT_PS_SYSTEM, value: '810000000001' },
    display: 'Dr 810000000001',
  },
  name: 'Dr 810000000001',
  requestor: true,
};

/** What the consent service records for a change of the DMP consent or of the DMP state. */
function changeEvent(
  agent: AuditEventAgent,
  changed: string,
  more: Partial<AuditEventEntity> = {},
): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    action: 'U',
    recorded: '2026-03-01T10:00:00Z',
    outcome: '0',
    outcomeDesc: 'DMP consent changed: block, authorize',
    agent: [agent],
    source: { observer: { display: 'dmp-consent-service' } },
    entity: [
      { what: { identifier: INS }, role: { system: OBJECT_ROLE, code: '1' } },
      { what: { reference: changed }, role: { system: OBJECT_ROLE, code: '4' }, ...more },
    ],
  };
}

describe('a change of the DMP in the patient access history', () => {
  it('names the patient who changed their own consent "vous", and says what changed', () => {
    const event = changeEvent(holder, 'Consent/c1/_history/3', {
      detail: [
        consentChangeDetail({ kind: 'block', professional: '810000000666' }),
        consentChangeDetail({
          kind: 'authorize',
          professional: '810000000011',
          period: { end: '2026-06-30' },
        }),
      ],
    });

    const line = historyLineOf(event);

    expect(line).toEqual({
      when: '2026-03-01T10:00:00Z',
      who: 'vous',
      what: 'consent-changed',
      change:
        'blocked professional 810000000666; authorized professional 810000000011 until 2026-06-30',
      how: 'normal',
      highlighted: false,
    });
    expect(historyLineParameter(line).part).toContainEqual({
      name: 'change',
      valueString: line.change,
    });
  });

  it('names a professional who changed it on the patient’s behalf', () => {
    const event = changeEvent(professional, 'Consent/c1/_history/4', {
      detail: [consentChangeDetail({ kind: 'attending-physician', professional: '810000000001' })],
    });

    expect(historyLineOf(event)).toMatchObject({
      who: 'Dr 810000000001',
      what: 'consent-changed',
      change: 'named professional 810000000001 attending physician',
    });
  });

  it.each([
    [{ kind: 'unblock', professional: 'X1' } as const, 'unblocked professional X1'],
    [
      { kind: 'revoke', professional: 'X1' } as const,
      'withdrew the authorization of professional X1',
    ],
    [{ kind: 'attending-physician' } as const, 'removed the attending physician'],
    [
      { kind: 'emergency-opposition', value: true } as const,
      'objected to emergency access (break-glass, centre 15)',
    ],
    [{ kind: 'hide-everything', value: false } as const, 'showed the DMP to professionals again'],
  ])('describes %j', (change, text) => {
    const event = changeEvent(holder, 'Consent/c1/_history/5', {
      detail: [consentChangeDetail(change)],
    });
    expect(historyLineOf(event).change).toBe(text);
  });

  it('shows a change of the DMP state with the consent service’s description', () => {
    const event = { ...changeEvent(holder, 'Patient/p1/_history/1'), outcomeDesc: 'DMP created' };

    expect(historyLineOf(event)).toMatchObject({
      who: 'vous',
      what: 'dmp-changed',
      change: 'DMP created',
    });
  });

  it('keeps document changes as they were: a replaced document is not a consent change', () => {
    const event = changeEvent(professional, 'DocumentReference/d1/_history/2');

    expect(historyLineOf(event)).toMatchObject({ who: 'Dr 810000000001', what: 'replaced' });
    expect(historyLineOf(event).change).toBeUndefined();
  });
});
