import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { fhirXmlToJson, jsonToFhirXml } from '@dmp/http';
import { openHarness, readFixture, uniquify, type Harness } from './harness';

/**
 * The NIST asbestos MHD v4.2.0 Document Recipient corpus once more, every bundle sent as FHIR
 * XML (as `asbestos.component.test.ts` sends it as JSON): each case must get the status of its
 * `index.json`, and the follow-up cases go after their original, sent as XML too. Answers are
 * asked for in XML and read with the FHIR XML parser.
 */
interface IndexCase {
  test: string;
  file: string;
  expectedHttpStatus: string;
  vars: string;
}

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

function prepare(bundle: unknown, original: string | undefined): object {
  let text = JSON.stringify(uniquify(bundle)).replaceAll('@{RandomUUID}', () => randomUUID());
  if (original !== undefined) text = text.replaceAll('${original}', original);
  return JSON.parse(text) as object;
}

/**
 * The bundle in FHIR XML as the tool writes it. One case (Missing_PatientID_Reference) has an
 * empty `<subject/>`, `"subject": {}` in the JSON copy; our writer drops empty elements (FHIR
 * forbids them), so it is put back here as the tool sends it.
 */
function asToolXml(bundle: object): string {
  const marked = JSON.stringify(bundle).replaceAll('"subject":{}', '"subject":{"display":"∅"}');
  return jsonToFhirXml(JSON.parse(marked) as object).replaceAll(
    '<subject><display value="∅"/></subject>',
    '<subject/>',
  );
}

async function postXml(bundle: object) {
  const res = await request(h.app)
    .post('/fhir/')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+xml')
    .set('Accept', 'application/fhir+xml')
    .send(asToolXml(bundle));
  expect(res.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
  return { status: res.status, body: fhirXmlToJson(res.text, 128) };
}

describe.each(['comprehensive', 'minimal'])(
  'asbestos MHDv420 %s collection in XML',
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
        const res = await postXml(
          prepare(readFixture('asbestos-mhd-v420', collection, c.file), undefined),
        );

        expect({
          status: res.status,
          outcome: res.status === 200 ? undefined : res.body.resourceType,
        }).toEqual({
          status: Number(c.expectedHttpStatus),
          outcome: Number(c.expectedHttpStatus) === 200 ? undefined : 'OperationOutcome',
        });
      },
    );

    it.each(followUps.map((c) => [c.test, c] as const))(
      '%s is accepted after its original',
      async (_name, c) => {
        const originalCase = originals.find((o) => o.test === c.test);
        expect(originalCase).toBeDefined();
        const first = await postXml(
          prepare(
            readFixture('asbestos-mhd-v420', collection, originalCase?.file ?? ''),
            undefined,
          ),
        );
        expect(first.status).toBe(200);
        const location = (first.body.entry as { response: { location: string } }[])
          .map((entry) => entry.response.location)
          .find((loc) => loc.startsWith('DocumentReference/'));
        const original = location?.split('/_history')[0];

        const res = await postXml(
          prepare(readFixture('asbestos-mhd-v420', collection, c.file), original),
        );

        expect(res.body.issue ?? []).toEqual([]);
        expect(res.status).toBe(200);
      },
    );

    it('runs every case of the index', () => {
      expect(single.length + originals.length + followUps.length).toBe(index.tests.length);
    });
  },
);
