import type { Actor } from '@dmp/auth';
import type { DocumentReference } from 'fhir/r4';
import { buildAuditEvent, documentEntity, documentTitle } from './audit-event';

const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const MODE = 'urn:oid:1.2.250.1.213.1.1.4.248';

function actor(extra: Partial<Actor> = {}): Actor {
  return {
    kind: 'practitioner',
    id: '810000000042',
    roles: [],
    purposeOfUse: [],
    accessMode: 'normal',
    scopes: [],
    issuer: 'test',
    ...extra,
  };
}

const event = (a: Actor, accessMode?: Actor['accessMode'], grant?: string) =>
  buildAuditEvent({
    interaction: 'ITI-68',
    outcome: '0',
    actor: a,
    requestId: 'r1',
    serverUrl: 'http://documents',
    ...(accessMode ? { accessMode } : {}),
    ...(grant ? { grant } : {}),
  });

const codes = (concepts: { coding?: { system?: string; code?: string }[] }[] | undefined) =>
  (concepts ?? []).flatMap((c) => (c.coding ?? []).map((x) => `${x.system ?? ''}|${x.code ?? ''}`));

describe('purpose of use in the documents AuditEvents (SPEC D.5)', () => {
  it('break-glass: ETREAT + BTG + bris_de_glace, the reason and the grant', () => {
    const e = event(
      actor({ accessMode: 'bris_de_glace', accessReason: 'Inconscient' }),
      'bris_de_glace',
      'Consent/g1',
    );
    expect(codes(e.purposeOfEvent)).toEqual([
      `${ACT_REASON}|ETREAT`,
      `${ACT_REASON}|BTG`,
      `${MODE}|bris_de_glace`,
    ]);
    const reason = e.entity?.find((x) => x.detail?.[0]?.type === 'reason');
    expect(reason).toMatchObject({
      what: { reference: 'Consent/g1' },
      detail: [{ valueString: 'Inconscient' }],
    });
  });

  it('centre 15: ETREAT and centre_15, no BTG', () => {
    const e = event(actor({ accessMode: 'centre_15' }), 'centre_15');
    expect(codes(e.purposeOfEvent)).toEqual([`${ACT_REASON}|ETREAT`, `${MODE}|centre_15`]);
  });

  it('normal: no purposeOfEvent; the professional has TREAT and normal; a patient has none', () => {
    const normal = event(actor());
    expect(normal.purposeOfEvent).toBeUndefined();
    expect(codes(normal.agent.find((a) => a.requestor)?.purposeOfUse)).toEqual([
      `${ACT_REASON}|TREAT`,
      `${MODE}|normal`,
    ]);
    const patient = event(actor({ kind: 'patient' }));
    expect(patient.agent.find((a) => a.requestor)?.purposeOfUse).toBeUndefined();
  });
});

describe('the title a document is named by in the trail', () => {
  const doc = (extra: Partial<DocumentReference>): DocumentReference => ({
    resourceType: 'DocumentReference',
    status: 'current',
    content: [{ attachment: { contentType: 'application/pdf' } }],
    ...extra,
  });

  it('is its description, else its attachment title, else its type text or display', () => {
    const typed = {
      coding: [{ system: 'http://loinc.org', code: '11490-0', display: 'CR de sortie' }],
    };
    expect(
      documentTitle(
        doc({ description: 'Lettre', content: [{ attachment: { title: 'CR.pdf' } }], type: typed }),
      ),
    ).toBe('Lettre');
    expect(
      documentTitle(doc({ content: [{ attachment: { title: 'CR.pdf' } }], type: typed })),
    ).toBe('CR.pdf');
    expect(documentTitle(doc({ type: { ...typed, text: 'Compte rendu' } }))).toBe('Compte rendu');
    expect(documentTitle(doc({ type: typed }))).toBe('CR de sortie');
    expect(documentTitle(doc({}))).toBeUndefined();
  });

  it('goes in the entity reference as its display, left out when the document has none', () => {
    expect(documentEntity('Binary/b1', doc({ description: 'Lettre' }))).toEqual({
      reference: 'Binary/b1',
      display: 'Lettre',
    });
    expect(documentEntity('Binary/b1', doc({}))).toEqual({ reference: 'Binary/b1' });
  });

  it('is left out for a document hidden from its patient, who reads their access history', () => {
    const hidden = doc({
      description: 'Annonce diagnostique',
      securityLabel: [
        {
          coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.13', code: 'INVISIBLE_PATIENT' }],
        },
      ],
    });

    expect(documentEntity('Binary/b1', hidden)).toEqual({ reference: 'Binary/b1' });
  });
});
