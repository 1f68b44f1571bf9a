import { randomUUID } from 'node:crypto';
import { FIXTURES, readFixture, uniquify } from './harness';

/**
 * The NIST asbestos MHD v4.2.0 Document Recipient corpus (both collections) as one suite, run
 * by each encoding's test with its own way of posting: each bundle gets fresh identifiers, the
 * follow-up cases (replace, addendum, transform) go after their original with `${original}`
 * bound to it, and every case must get the status of `index.json` ("?" in the index: the tool
 * accepts any answer; a conforming recipient accepts them, so 200).
 */
interface IndexCase {
  test: string;
  file: string;
  expectedHttpStatus: string;
  vars: string;
}

/** What a test needs of an answer to an ITI-65 post, whatever its encoding. */
export interface CorpusAnswer {
  status: number;
  body: {
    resourceType?: string;
    issue?: unknown[];
    entry?: { response: { location: string } }[];
  };
}

function prepare(bundle: unknown, original: string | undefined): object {
  let text = JSON.stringify(uniquify(bundle)).replaceAll('@{RandomUUID}', () => randomUUID());
  if (original !== undefined) text = text.replaceAll('${original}', original);
  return JSON.parse(text) as object;
}

export function describeAsbestosCorpus(
  title: string,
  post: (bundle: object) => Promise<CorpusAnswer>,
): void {
  describe.each(['comprehensive', 'minimal'])(title, (collection) => {
    const fixture = (file: string) => readFixture('asbestos-mhd-v420', collection, file);
    const index = fixture('index.json') as { tests: IndexCase[] };
    const originals = index.tests.filter((c) => c.file.endsWith('__original.json'));
    const followUps = index.tests.filter((c) => c.vars.includes('${original}'));
    const single = index.tests.filter((c) => !originals.includes(c) && !followUps.includes(c));

    it.each(single.map((c) => [c.test, c] as const))(
      '%s answers its expected status',
      async (_name, c) => {
        const res = await post(prepare(fixture(c.file), undefined));

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
        const first = await post(prepare(fixture(originalCase?.file ?? ''), undefined));
        expect(first.status).toBe(200);
        const location = (first.body.entry ?? [])
          .map((entry) => entry.response.location)
          .find((loc) => loc.startsWith('DocumentReference/'));
        const original = location?.split('/_history')[0];

        const res = await post(prepare(fixture(c.file), original));

        expect(res.body.issue ?? []).toEqual([]);
        expect(res.status).toBe(200);
      },
    );

    it('has a fixture for every case of the index, and runs them all', () => {
      expect(FIXTURES.length).toBeGreaterThan(0);
      expect(single.length + originals.length + followUps.length).toBe(index.tests.length);
    });
  });
}
