import type { AuditEvent, Consent, DocumentReference, Parameters } from 'fhir/r4';
import { describeAuditEvent } from './audit-event-view';
import { auditSearchParams, NO_FILTERS } from './audit-search';
import { chainStatusOf, checkpointsOf } from './chain';
import { changeParameters, choicesOf, warningFor, DEFAULT_CHOICES } from './consent-choices';
import { countPerDay, daysBetween } from './daily-counts';
import { documentRow, maskPatch, unmaskPatch, VISIBILITY_SYSTEM } from './documents';
import { apiPath, consolePathOf, isValidIns } from './fhir-paths';
import { historyOf } from './history';
import { failureOf } from './operation-outcome';
import { allowedFor, homeOf, hrefOf, parseHash } from './routes';

const breakGlassRead: AuditEvent = {
  resourceType: 'AuditEvent',
  id: 'e1',
  type: { code: 'rest' },
  subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-68' }],
  action: 'R',
  recorded: '2026-11-20T10:00:00Z',
  outcome: '0',
  purposeOfEvent: [
    {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' },
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' },
      ],
    },
  ],
  agent: [
    { who: { display: 'dmp-dev-cli' }, requestor: false },
    { who: { display: 'http://documents/fhir' }, requestor: false, network: { address: 'x' } },
    {
      who: { identifier: { value: '810000000077' } },
      name: 'Dr Urgence',
      requestor: true,
      role: [{ coding: [{ code: '10' }] }],
    },
  ],
  source: { observer: { display: 'http://documents/fhir' } },
  entity: [
    {
      what: { identifier: { value: '255081416802538' } },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
    },
    {
      what: { reference: 'http://documents/fhir/Binary/b1' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3' },
    },
    { detail: [{ type: 'reason', valueString: 'Patient inconscient' }] },
  ],
};

describe('an AuditEvent told readably', () => {
  it('says who, what, which document, from where and why, and flags break-glass', () => {
    expect(describeAuditEvent(breakGlassRead)).toMatchObject({
      who: 'Dr Urgence',
      whoId: '810000000077',
      profession: 'Médecin',
      action: 'Consultation',
      transaction: 'ITI-68 · lecture d’un document',
      outcome: 'success',
      patient: '255081416802538',
      documents: ['Binary/b1'],
      from: 'logiciel dmp-dev-cli, enregistré par http://documents/fhir',
      why: 'Soins en urgence, Bris de glace',
      breakGlass: true,
      reason: 'Patient inconscient',
    });
  });

  it('calls a minor failure a refusal', () => {
    expect(describeAuditEvent({ ...breakGlassRead, outcome: '4' }).outcomeText).toBe('Refusé');
  });
});

describe('the ITI-81 query of the auditor’s filters', () => {
  it('maps each filter to its search parameter', () => {
    const params = auditSearchParams({
      ...NO_FILTERS,
      patientIns: '255081416802538',
      agent: '810000000077',
      from: '2026-11-01',
      to: '2026-11-30',
      transaction: 'ITI-68',
      outcome: 'failure',
      purpose: 'BTG',
    });
    expect([...params]).toEqual([
      ['patient.identifier', 'urn:oid:1.2.250.1.213.1.4.8|255081416802538'],
      ['agent.identifier', '810000000077'],
      ['date', 'ge2026-11-01'],
      ['date', 'le2026-11-30'],
      ['subtype', 'ITI-68'],
      ['outcome:not', '0'],
      ['purpose-of-use', 'http://terminology.hl7.org/CodeSystem/v3-ActReason|BTG'],
      ['_count', '20'],
    ]);
  });

  it('asks only for a page when nothing is filtered', () => {
    expect(auditSearchParams(NO_FILTERS).toString()).toBe('_count=20');
  });
});

describe('console paths', () => {
  it('turns a service’s absolute link into the console path, query kept', () => {
    expect(
      consolePathOf('audit', 'http://127.0.0.1:8083/fhir/AuditEvent?_cursor=abc&_count=5'),
    ).toBe('/api/fhir/audit/AuditEvent?_cursor=abc&_count=5');
    expect(consolePathOf('documents', 'http://127.0.0.1:8081/fhir/Binary/42')).toBe(
      '/api/fhir/documents/Binary/42',
    );
    expect(apiPath('consent', '/Consent/$dmp-change')).toBe(
      '/api/fhir/consent/Consent/$dmp-change',
    );
  });

  it('checks an INS key, Corsica included', () => {
    expect(isValidIns('255081416802538')).toBe(true);
    expect(isValidIns('255081416802539')).toBe(false);
    expect(isValidIns('12345')).toBe(false);
    const body = '185052A123456';
    const key = 97 - Number(BigInt('1850519123456') % 97n);
    expect(isValidIns(`${body}${String(key).padStart(2, '0')}`)).toBe(true);
  });
});

describe('per-day counts', () => {
  it('counts accesses and refusals per Paris day, zero days included, decisions left out', () => {
    const at = (recorded: string, outcome: '0' | '4', decision = false): AuditEvent => ({
      ...breakGlassRead,
      recorded,
      outcome,
      type: { code: decision ? '110113' : 'rest' },
    });
    const counts = countPerDay(
      [
        at('2026-11-01T10:00:00Z', '0'),
        at('2026-11-01T23:30:00Z', '4'), // 00:30 on the 2nd in Paris
        at('2026-11-01T10:00:00Z', '4', true),
        at('2026-11-03T10:00:00Z', '0'),
      ],
      '2026-11-01',
      '2026-11-03',
    );
    expect(counts).toEqual([
      { day: '2026-11-01', accesses: 1, refusals: 0 },
      { day: '2026-11-02', accesses: 0, refusals: 1 },
      { day: '2026-11-03', accesses: 1, refusals: 0 },
    ]);
    expect(daysBetween('2026-01-01', '2026-12-31')).toHaveLength(365);
  });
});

describe('the patient’s choices', () => {
  const consent: Consent = {
    resourceType: 'Consent',
    status: 'active',
    scope: {},
    category: [],
    meta: { versionId: '3' },
    provision: {
      type: 'permit',
      provision: [
        {
          type: 'permit',
          actor: [
            { role: { coding: [{ code: 'IRCP' }] }, reference: { identifier: { value: 'A' } } },
          ],
          period: { end: '2026-12-31' },
        },
        {
          type: 'deny',
          actor: [
            { role: { coding: [{ code: 'IRCP' }] }, reference: { reference: 'Practitioner/B' } },
          ],
        },
        { type: 'deny', purpose: [{ code: 'BTG' }] },
        { type: 'deny' },
      ],
    },
  };

  it('reads authorizations, blocks, opposition and hide-everything from the DMP Consent', () => {
    expect(choicesOf(consent)).toEqual({
      authorized: [{ professional: 'A', end: '2026-12-31' }],
      blocked: ['B'],
      emergencyOpposition: true,
      hideEverything: true,
      version: 'W/"3"',
    });
    expect(choicesOf(undefined)).toEqual(DEFAULT_CHOICES);
  });

  it('builds $dmp-change Parameters', () => {
    const parameters = changeParameters('255081416802538', {
      type: 'authorize',
      professional: 'A',
      end: '2027-01-31',
    });
    expect(parameters.parameter?.[1]).toEqual({
      name: 'change',
      part: [
        { name: 'type', valueCode: 'authorize' },
        { name: 'professional', valueString: 'A' },
        { name: 'period', valuePeriod: { end: '2027-01-31' } },
      ],
    });
    expect(
      changeParameters('x', { type: 'hide-everything', value: true }).parameter?.[1]?.part,
    ).toContainEqual({
      name: 'value',
      valueBoolean: true,
    });
  });

  it('warns where the law does: blocking beats an authorization, hiding all hides from emergencies', () => {
    const choices = choicesOf(consent);
    expect(warningFor({ type: 'block', professional: 'A' }, choices)).toContain(
      'l’emporte sur l’autorisation',
    );
    expect(warningFor({ type: 'hide-everything', value: true }, choices)).toContain(
      'y compris en cas d’urgence',
    );
    expect(warningFor({ type: 'emergency-opposition', value: true }, choices)).toContain(
      'bris de glace',
    );
    expect(warningFor({ type: 'authorize', professional: 'B' }, choices)).toContain('bloqué');
    expect(warningFor({ type: 'unblock', professional: 'B' }, choices)).toBeUndefined();
    expect(warningFor({ type: 'hide-everything', value: false }, choices)).toBeUndefined();
  });
});

describe('documents', () => {
  const masked: DocumentReference = {
    resourceType: 'DocumentReference',
    id: 'd1',
    status: 'current',
    meta: { versionId: '2' },
    securityLabel: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }],
      },
      { coding: [{ system: VISIBILITY_SYSTEM, code: 'MASQUE_PS' }] },
    ],
    content: [
      {
        attachment: { url: 'http://d/fhir/Binary/b1', contentType: 'application/pdf', title: 'CR' },
      },
    ],
  };

  it('shows a row with its visibility and document link', () => {
    expect(documentRow(masked)).toMatchObject({
      id: 'd1',
      title: 'CR',
      contentType: 'PDF',
      masked: true,
      version: 'W/"2"',
    });
  });

  it('masks by adding the label and unmasks by removing exactly that one (tested first)', () => {
    expect(maskPatch()).toEqual([
      {
        op: 'add',
        path: '/securityLabel/-',
        value: { coding: [{ system: VISIBILITY_SYSTEM, code: 'MASQUE_PS' }] },
      },
    ]);
    expect(unmaskPatch(masked)).toEqual([
      { op: 'test', path: '/securityLabel/1', value: masked.securityLabel?.[1] },
      { op: 'remove', path: '/securityLabel/1' },
    ]);
    expect(unmaskPatch({ ...masked, securityLabel: [] })).toBeUndefined();
  });
});

describe('the access history, the chain, errors and routes', () => {
  it('reads $patient-history lines and the next link', () => {
    const parameters: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'line',
          part: [
            { name: 'when', valueDateTime: '2026-11-20T10:00:00Z' },
            { name: 'who', valueString: 'Dr Urgence' },
            { name: 'what', valueCode: 'consulted' },
            { name: 'how', valueCode: 'bris_de_glace' },
            { name: 'highlighted', valueBoolean: true },
          ],
        },
        { name: 'next', valueUri: 'http://a/fhir/AuditEvent/$patient-history?_cursor=x' },
      ],
    };
    expect(historyOf(parameters)).toEqual({
      lines: [
        {
          when: '2026-11-20T10:00:00Z',
          who: 'Dr Urgence',
          what: 'consulted',
          how: 'bris_de_glace',
          highlighted: true,
        },
      ],
      next: 'http://a/fhir/AuditEvent/$patient-history?_cursor=x',
    });
  });

  it('reads $verify and $checkpoints', () => {
    expect(
      chainStatusOf({
        resourceType: 'Parameters',
        parameter: [
          { name: 'ok', valueBoolean: false },
          { name: 'verified', valueInteger: 4 },
          { name: 'total', valueInteger: 9 },
          { name: 'checkpoints', valueInteger: 1 },
          { name: 'firstBrokenSeq', valueInteger: 5 },
          { name: 'reason', valueCode: 'hash' },
        ],
      }),
    ).toEqual({
      ok: false,
      verified: 4,
      total: 9,
      checkpoints: 1,
      firstBrokenSeq: 5,
      reason: 'hash',
      badSignatures: [],
    });
    const seq = (n: number) => ({
      name: 'checkpoint',
      part: [
        { name: 'seq', valueInteger: n },
        { name: 'hash', valueString: `h${n}` },
        { name: 'time', valueInstant: '2026-11-20T10:00:00Z' },
      ],
    });
    expect(
      checkpointsOf({ resourceType: 'Parameters', parameter: [seq(1), seq(3), seq(2)] })[0]?.seq,
    ).toBe(3);
  });

  it('shows the OperationOutcome’s text and code', () => {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'forbidden',
          details: {
            coding: [
              {
                system: 'https://dmp.example.fr/fhir/CodeSystem/error-code',
                code: 'DMP-CONSENT-DENIED',
              },
            ],
            text: 'The DMP access rules deny this access (PROFESSIONAL_BLOCKED)',
          },
        },
      ],
    };
    expect(failureOf(403, outcome)).toEqual({
      status: 403,
      text: 'The DMP access rules deny this access (PROFESSIONAL_BLOCKED)',
      code: 'DMP-CONSENT-DENIED',
    });
    expect(failureOf(502, '').text).toBe('Le service a répondu 502.');
  });

  it('routes each kind of user to its own views', () => {
    expect(parseHash('#/audit/evenement/abc-1')).toMatchObject({
      view: 'audit-event',
      id: 'abc-1',
    });
    expect(parseHash('#/audit/recherche?patientIns=1')?.query.get('patientIns')).toBe('1');
    expect(parseHash('#/nowhere')).toBeUndefined();
    const patient = { kind: 'patient' as const, name: 'P', subject: 'x', via: 'dev' as const };
    expect(homeOf(patient)).toBe('patient-documents');
    expect(allowedFor(patient, 'audit-search')).toBe(false);
    expect(allowedFor(undefined, 'patient-documents')).toBe(false);
    expect(hrefOf('audit-event', 'e1')).toBe('#/audit/evenement/e1');
  });
});
