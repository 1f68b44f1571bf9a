import fc from 'fast-check';
import request from 'supertest';
import type { Bundle, DocumentReference, List } from 'fhir/r4';
import { INS_SYSTEM } from '../wiring/wired-harness';
import { claims, INS_A, INS_B, INS_H, PS, openWorld, type World } from './world';

/**
 * Property: whatever a search says — random parameter names, modifiers, chains, OR lists,
 * repeated parameters, lenient handling on or off, GET or POST — a result that is answered holds
 * documents of one patient only, a patient the query named, and never a patient the caller may
 * not read. (The enforcement point finds the patient in the parsed query and ANDs its key.)
 */
let world: World;
let patientRef: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  world = await openWorld();
  patientRef = world.patientA;
  tokens.patientB = await world.token(claims.patient(INS_B));
  tokens.careTeam = await world.token(
    claims.practitioner(PS.careTeam, { attestation: 'care_team' }),
  );
  tokens.blocked = await world.token(claims.practitioner(PS.blocked, { attestation: 'care_team' }));
}, 120_000);
afterAll(() => world.close());

const patientNames = [
  'patient',
  'subject',
  'patient.identifier',
  'subject.identifier',
  'patient:Patient',
  'patient:Patient.identifier',
  'subject:Patient.identifier',
  'patient:Foo.identifier',
  'patient:identifier',
  'patient:missing',
  'patient:not',
  'patient.identifier:not',
  'subject:Practitioner',
  'patient.given',
  'Patient.identifier',
  'dmp-patient',
];
const otherNames = [
  'status',
  'type',
  '_id',
  'identifier',
  'isArchived',
  'date',
  'foo',
  '_count',
  'security-label:not',
];

const insValue = fc.constantFrom(
  INS_A,
  INS_B,
  INS_H,
  `${INS_SYSTEM}|${INS_A}`,
  `${INS_SYSTEM}|${INS_B}`,
  `|${INS_A}`,
  `${INS_SYSTEM}|${INS_H}`,
);
const value = fc.oneof(
  insValue,
  fc.constantFrom('current', 'superseded', 'true', 'false', 'MASQUE_PS', 'x', '%', '*', 'ge2020'),
  fc.constant('REF'),
  fc.array(insValue, { minLength: 2, maxLength: 3 }).map((values) => values.join(',')),
  fc.string({ maxLength: 12 }),
);
/** A well-formed way of naming a patient (as clients do), to be mixed with random noise. */
const designation = fc.oneof(
  fc.tuple(
    fc.constantFrom('patient.identifier', 'subject.identifier', 'patient:Patient.identifier'),
    insValue,
  ),
  fc.tuple(fc.constantFrom('patient', 'subject', 'patient:Patient'), fc.constant('REF')),
);
const parameter = fc.tuple(
  fc.oneof(
    fc.constantFrom(...patientNames),
    fc.constantFrom(...otherNames),
    fc.string({ minLength: 1, maxLength: 10 }),
  ),
  value,
);

function patientsOf(bundle: Bundle): Set<string> {
  const found = new Set<string>();
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource as DocumentReference | List | undefined;
    const ins = resource?.subject?.identifier?.value;
    if (ins) found.add(ins);
  }
  return found;
}

describe('search property: never a resource of a patient other than the one decided', () => {
  it('holds for random searches by a blocked doctor, a care-team doctor and patient B', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('patientB', 'careTeam', 'blocked'),
        fc
          .tuple(
            fc.option(designation, { freq: 5 }),
            fc.option(fc.constant(['status', 'current'] as [string, string]), { freq: 4 }),
            fc.array(parameter, { maxLength: 3 }),
          )
          .map(([patient, status, extra]) => [
            ...(patient ? [patient] : []),
            ...(status ? [status] : []),
            ...extra,
          ]),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('DocumentReference', 'List'),
        async (actor, parameters, lenient, post, type) => {
          const query = new URLSearchParams(
            parameters.map(([name, v]): [string, string] => [name, v === 'REF' ? patientRef : v]),
          );
          const base = request(world.wired.documents);
          const call = post
            ? base.post(`/fhir/${type}/_search`).type('form').send(query.toString())
            : base.get(`/fhir/${type}?${query.toString()}`);
          const res = await call
            .set('Authorization', `Bearer ${tokens[actor] ?? ''}`)
            .set('Prefer', lenient ? 'handling=lenient' : 'handling=strict');

          expect(res.status).not.toBeGreaterThanOrEqual(500);
          if (res.status !== 200) return;
          const patients = patientsOf(res.body as Bundle);
          expect(patients.size).toBeLessThanOrEqual(1);
          const [only] = patients;
          if (only === undefined) return;
          answered += 1;
          const named =
            query.toString().includes(only) ||
            (only === INS_A && query.toString().includes(encodeURIComponent(patientRef)));
          expect(named).toBe(true);
          if (actor === 'patientB') expect(only).toBe(INS_B);
          if (actor === 'blocked') expect(only).not.toBe(INS_A);
          expect(only).not.toBe(INS_H);
        },
      ),
      { numRuns: 500 },
    );
    // Not vacuous: many random searches did find documents (and the property held for them).
    expect(answered).toBeGreaterThan(15);
  }, 300_000);
});
