import request from 'supertest';
import type { PatientPreferences } from '../src/domain/preferences';
import { INS, NOW, doctor, policy, table, type Case } from './decision-cases';
import {
  change,
  insNumber,
  openHarness,
  patientParameters,
  patientToken,
  systemToken,
  type Harness,
} from './harness';

let h: Harness;
let service: string;

beforeAll(async () => {
  h = await openHarness('rules', { policy, now: () => NOW });
  service = await systemToken(h.issuer);
});
afterAll(() => h.close());

function changesOf(preferences: Partial<PatientPreferences>): object[] {
  const blocked = preferences.blocked ?? [];
  return [
    // The API refuses to authorize a blocked professional; blocking alone shows the precedence.
    ...(preferences.authorized ?? [])
      .filter((a) => !blocked.includes(a.professional))
      .map((a) =>
        change(
          'authorize',
          a.professional,
          a.period ? [{ name: 'period', valuePeriod: a.period }] : [],
        ),
      ),
    ...blocked.map((b) => change('block', b)),
    ...(preferences.attendingPhysician
      ? [change('attending-physician', preferences.attendingPhysician)]
      : []),
    ...(preferences.delegates ?? []).map((d) => change('add-delegate', d)),
    ...(['emergencyOpposition', 'hideEverything'] as const)
      .filter((flag) => preferences[flag])
      .map((flag) => ({
        name: 'change',
        part: [
          {
            name: 'type',
            valueCode: flag === 'hideEverything' ? 'hide-everything' : 'emergency-opposition',
          },
          { name: 'value', valueBoolean: true },
        ],
      })),
  ];
}

/** Creates the row's patient with its DMP state and choices, through the public API. */
async function arrange(ins: string, c: Case): Promise<void> {
  if (c.state === 'none') return;
  const patient = await patientToken(h.issuer, ins);
  const as = (path: string, body: object) =>
    request(h.app).post(path).set('Authorization', `Bearer ${patient}`).send(body);
  await as('/fhir/Patient/$dmp-open', patientParameters(ins)).expect(201);
  const changes = changesOf(c.preferences ?? {});
  if (changes.length > 0)
    await as('/fhir/Consent/$dmp-change', patientParameters(ins, ...changes)).expect(200);
  if (c.state === 'closed')
    await as('/fhir/Patient/$dmp-close', patientParameters(ins)).expect(200);
}

function requestOf(ins: string, c: Case): object {
  const s = { ...doctor, ...c.subject };
  const local = (value: string | undefined) => (value === INS ? ins : value);
  const d = c.document;
  return {
    subject: {
      type: s.kind,
      id: local(s.id),
      properties: {
        profession: s.profession,
        organization_id: s.organizationId,
        patient: local(s.patientIns),
        legal_representative: s.legalRepresentative,
      },
    },
    action: {
      name: c.action ?? 'read',
      ...(c.changes ? { properties: { changes: c.changes } } : {}),
    },
    resource: {
      type: d ? 'DocumentReference' : 'dmp',
      properties: {
        patient: ins,
        ...(d
          ? {
              class: d.classCode,
              type: d.typeCode,
              security_labels: d.labels,
              authors: d.authors,
              author_organizations: d.authorOrganizations,
              submitter: d.submitter,
              deposit_date: d.depositDate,
            }
          : {}),
      },
    },
    context: {
      access_mode: s.accessMode,
      access_reason: s.accessReason,
      attestation: s.attestation,
    },
  };
}

describe('every rule of SPEC C.1–C.4 and its precedence, through POST /access/v1/evaluation', () => {
  it.each(table.map((row, index) => [index, ...row] as const))(
    '#%i %s: %s',
    async (index, _rule, _behaviour, c, expectedPermit, reason) => {
      const ins = insNumber(9000 + index);
      await arrange(ins, c);
      const blankReason =
        c.subject?.accessMode === 'bris_de_glace' && !c.subject.accessReason?.trim();

      const res = await request(h.app)
        .post('/access/v1/evaluation')
        .set('Authorization', `Bearer ${service}`)
        .send(requestOf(ins, c));

      if (blankReason) {
        // The API refuses a break-glass request without a reason before deciding.
        expect(res.status).toBe(400);
        expect(res.body.issue[0].details.coding[0].code).toBe(
          'DMP-CONSENT-BREAK-GLASS-REASON-REQUIRED',
        );
        return;
      }
      expect(res.status).toBe(200);
      expect(res.body.decision).toBe(expectedPermit);
      expect(res.body.context.reasons.map((r: { code: string }) => r.code)).toContain(reason);
    },
  );
});
