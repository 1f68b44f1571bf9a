import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { readFixture, uniquify } from '../../../services/documents/test/harness';
import { INS_SYSTEM, openDmp, openWired, type Wired } from './wired-harness';

/**
 * The NIST asbestos MHD v4.2.0 Document Recipient corpus (both collections) against the wired
 * services: documents asks the consent service (over HTTP) for every submission, so the DMP of
 * the example patient is opened first through consent's `Patient/$dmp-open` (operator's system
 * token, `system/Patient.c`); the bundles go in with a hospital system token scoped `ITI-65`
 * only. The fixtures name their patient `Patient/example-asbestos-patient`, which has no INS:
 * the test gives it one by opening a DMP for {@link INS}, and points the bundles' subjects at
 * the `Patient/{id}` the consent registry answered (documents maps it back to the INS through
 * the registry). Other references (the `Bad_Patient_Link` cases' foreign
 * `http://example.com/fhir/Patient/1`, the contained `#sourcePatient`) are left as they are.
 *
 * As in the component run: fresh business identifiers per bundle, follow-ups (replace,
 * addendum, transform) after their original with `${original}` bound to it, every case gets
 * the status of `index.json` ("?": a conforming recipient accepts, so 200).
 */
interface IndexCase {
  test: string;
  file: string;
  expectedHttpStatus: string;
  vars: string;
}

const FIXTURE_PATIENT = 'Patient/example-asbestos-patient';
const INS = '255081416802538';
const NO_DMP_INS = '180017512345660';

let w: Wired;
/** The hospital's software (submits through ITI-65 only). */
let systemToken: string;
/** `Patient/{id}` of the example patient in the consent registry (its DMP is open). */
let patientRef: string;

beforeAll(async () => {
  w = await openWired();
  systemToken = await w.issuer.sign({
    sub: 'lps-hospital',
    client_id: 'lps-hospital',
    scope: 'ITI-65',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
  patientRef = await openDmp(w, INS);
});
afterAll(() => w.close());

function prepare(bundle: unknown, original: string | undefined, subject: string): unknown {
  let text = JSON.stringify(uniquify(bundle))
    .replaceAll('@{RandomUUID}', () => randomUUID())
    .replaceAll(`"${FIXTURE_PATIENT}"`, JSON.stringify(subject));
  if (original !== undefined) text = text.replaceAll('${original}', original);
  return JSON.parse(text);
}

const post = (bundle: unknown) =>
  request(w.documents)
    .post('/fhir/')
    .set('Authorization', `Bearer ${systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));

const fixture = (collection: string, file: string) =>
  readFixture('asbestos-mhd-v420', collection, file);

describe.each(['comprehensive', 'minimal'])(
  'wired asbestos MHDv420 %s collection',
  (collection) => {
    const index = readFixture<{ tests: IndexCase[] }>(
      'asbestos-mhd-v420',
      collection,
      'index.json',
    );
    const originals = index.tests.filter((c) => c.file.endsWith('__original.json'));
    const followUps = index.tests.filter((c) => c.vars.includes('${original}'));
    const single = index.tests.filter((c) => !originals.includes(c) && !followUps.includes(c));

    it.each(single.map((c) => [c.test, c] as const))(
      '%s answers its expected status',
      async (_name, c) => {
        const res = await post(prepare(fixture(collection, c.file), undefined, patientRef));

        const expected = Number(c.expectedHttpStatus);
        expect({
          status: res.status,
          outcome: res.status === 200 ? undefined : res.body.resourceType,
        }).toEqual({
          status: expected,
          outcome: expected === 200 ? undefined : 'OperationOutcome',
        });
      },
    );

    it.each(followUps.map((c) => [c.test, c] as const))(
      '%s is accepted after its original',
      async (_name, c) => {
        const originalCase = originals.find((o) => o.test === c.test);
        expect(originalCase).toBeDefined();
        const first = await post(
          prepare(fixture(collection, originalCase?.file ?? ''), undefined, patientRef),
        );
        expect(first.status).toBe(200);
        const location = (first.body.entry as { response: { location: string } }[])
          .map((entry) => entry.response.location)
          .find((loc) => loc.startsWith('DocumentReference/'));
        const original = location?.split('/_history')[0];

        const res = await post(prepare(fixture(collection, c.file), original, patientRef));

        expect(res.body.issue ?? []).toEqual([]);
        expect(res.status).toBe(200);
      },
    );

    it('covers every case of the index', () => {
      expect(single.length + originals.length + followUps.length).toBe(index.tests.length);
    });
  },
);

describe('a patient without an open DMP', () => {
  it('refuses the prerequisite bundle for a patient the registry does not know (422)', async () => {
    const res = await post(
      prepare(
        fixture('minimal', '1_Prerequisite_Single_Document_with_Binary__pdb.json'),
        undefined,
        FIXTURE_PATIENT,
      ),
    );

    expect(res.status).toBe(422);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).toContain('DMP-PATIENT-NO-DMP');
  });

  it('refuses a bundle naming an INS whose DMP is not open (422)', async () => {
    const bundle = prepare(
      fixture('minimal', '1_Prerequisite_Single_Document_with_Binary__pdb.json'),
      undefined,
      patientRef,
    );
    const text = JSON.stringify(bundle).replaceAll(
      JSON.stringify({ reference: patientRef }),
      JSON.stringify({ identifier: { system: INS_SYSTEM, value: NO_DMP_INS } }),
    );

    const res = await post(JSON.parse(text));

    expect(res.status).toBe(422);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).toContain('DMP-PATIENT-NO-DMP');
  });
});
