import fc from 'fast-check';
import type { Actor } from '@dmp/auth';
import { fhirError, withTrace } from '@dmp/errors';
import { createResourceValidator } from '@dmp/fhir';
import type { Refusal } from '@dmp/http';
import { buildRefusalEvent } from './refusal-event';
import { sanitizeAuditEvent } from './sanitize';

const validator = createResourceValidator();

function actor(name: string, tokenId: string, id: string): Actor {
  return {
    kind: 'practitioner',
    id,
    name,
    roles: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
    purposeOfUse: [],
    accessMode: 'bris_de_glace',
    accessReason: name,
    scopes: [],
    issuer: 'https://issuer.example',
    tokenId,
  };
}

function refusal(text: string, query: string): Refusal {
  return {
    actor: actor(text, text, text),
    requestId: 'req-1',
    baseUrl: 'http://localhost/fhir',
    method: 'GET',
    route: '/fhir/DocumentReference',
    query,
    status: 403,
    error: withTrace(fhirError('DMP-CONSENT-DENIED', text), { reason: text }),
    context: { reason: text, entities: [`DocumentReference/${'x'}`] },
  };
}

describe('sanitizeAuditEvent', () => {
  it('makes events built from any text valid R4 AuditEvents (property)', () => {
    fc.assert(
      fc.property(fc.fullUnicodeString(), fc.string(), (text, query) => {
        const event = sanitizeAuditEvent(buildRefusalEvent(refusal(text, query), { display: 'x' }));
        expect(validator.validate(event, 'AuditEvent')).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('replaces foreign whitespace, control characters and lone surrogates; drops empty text', () => {
    const event = sanitizeAuditEvent({
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      recorded: '2026-01-01T00:00:00Z',
      agent: [{ requestor: true, name: 'Jean\u00a0Dupont\u2028', who: { display: '' } }],
      source: { observer: { display: 'a\u0000b\ud800' } },
      outcomeDesc: '   ',
    });

    expect(event.agent[0]?.name).toBe('Jean Dupont ');
    expect(event.agent[0]?.who).toBeUndefined();
    expect(event.source.observer.display).toBe('a\uFFFDb\uFFFD');
    expect(event.outcomeDesc).toBeUndefined();
  });

  it('known hostile inputs of the audit findings now validate', () => {
    for (const text of ['x\u2028y', 'Dr\u00a0House', '\ufeffBOM', '']) {
      const raw = buildRefusalEvent(
        refusal(text, `patient.identifier=${encodeURIComponent(text)}`),
        { display: 'documents' },
      );
      expect(validator.validate(raw, 'AuditEvent')).not.toEqual([]);
      expect(validator.validate(sanitizeAuditEvent(raw), 'AuditEvent')).toEqual([]);
    }
  });
});
