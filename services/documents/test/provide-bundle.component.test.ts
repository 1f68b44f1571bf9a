import request from 'supertest';
import type { Bundle } from 'fhir/r4';
import { buildProvideBundle } from './builders';
import {
  asDmpSubmission,
  FIXTURE_PATIENTS,
  openHarness,
  readFixture,
  uniquify,
  type Harness,
} from './harness';

let h: Harness;
/** A stored document of the examples' patient, for the `appends` of the Complete examples. */
let relatedTarget: string;
beforeAll(async () => {
  h = await openHarness();
  const created = await post(buildProvideBundle({ ins: FIXTURE_PATIENTS['ex-patient'] ?? '' }));
  const location = (created.body.entry as { response: { location: string } }[])
    .map((e) => e.response.location)
    .find((l) => l.startsWith('DocumentReference/'));
  relatedTarget = location?.split('/_history')[0] ?? '';
});
afterAll(() => h.close());

const example = (file: string) =>
  asDmpSubmission(uniquify(readFixture<Bundle>('mhd-4.2.3', file)), relatedTarget);

const post = (bundle: unknown) =>
  request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));

const EXAMPLES = [
  'Bundle-ex-minimalProvideDocumentBundleSimple.json',
  'Bundle-ex-minimalProvideDocumentBundleSimpleContained.json',
  'Bundle-ex-comprehensiveProvideDocumentBundleSimple.json',
  'Bundle-ex-comprehensiveProvideDocumentBundleMultiple.json',
  'Bundle-ex-comprehensiveProvideDocumentBundleComplete.json',
  'Bundle-ex-comprehensiveProvideDocumentBundleDocument.json',
  'Bundle-ex-unContainedComprehensiveProvideDocumentBundleComplete.json',
  'Bundle-ex-ProvideDocumentBundle-addToFolder.json',
];

describe('ITI-65 with the MHD 4.2.3 examples', () => {
  it.each(EXAMPLES)(
    'accepts %s and answers a transaction-response in request order',
    async (file) => {
      const bundle = example(file);

      const res = await post(bundle);

      expect(res.body.issue ?? []).toEqual([]);
      expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
      expect(res.status).toBe(200);
      expect(res.body.entry).toHaveLength(bundle.entry?.length ?? 0);
      res.body.entry.forEach(
        (entry: { response: { status: string; location: string } }, i: number) => {
          const type = bundle.entry?.[i]?.resource?.resourceType;
          expect(entry.response.status).toMatch(/^20[01]/);
          if (type === 'Bundle') expect(entry.response.location).toMatch(/^Binary\//);
          else expect(entry.response.location.startsWith(`${String(type)}/`)).toBe(true);
        },
      );
    },
  );
});

const RESPONSES: [string, string][] = [
  [
    'Bundle-ex-minimalProvideDocumentBundleSimple.json',
    'Bundle-ex-response-minimalProvideDocumentBundleSimple.json',
  ],
  [
    'Bundle-ex-minimalProvideDocumentBundleSimpleContained.json',
    'Bundle-ex-response-minimalProvideDocumentBundleSimpleContained.json',
  ],
  [
    'Bundle-ex-comprehensiveProvideDocumentBundleSimple.json',
    'Bundle-ex-response-comprehensiveProvideDocumentBundleSimple.json',
  ],
  [
    'Bundle-ex-comprehensiveProvideDocumentBundleMultiple.json',
    'Bundle-ex-response-comprehensiveProvideDocumentBundleMultiple.json',
  ],
  [
    'Bundle-ex-comprehensiveProvideDocumentBundleComplete.json',
    'Bundle-ex-response-comprehensiveProvideDocumentBundleComplete.json',
  ],
];

describe('ITI-65 answers in the shape of the official example responses', () => {
  it.each(RESPONSES)('%s → like %s', async (file, responseFile) => {
    const official = readFixture<Bundle>('mhd-4.2.3', responseFile);

    const res = await post(example(file)).expect(200);

    expect(res.body.type).toBe(official.type);
    expect(res.body.meta.profile).toEqual(official.meta?.profile);
    const shape = (bundle: Bundle) =>
      (bundle.entry ?? []).map((entry) => ({
        status: entry.response?.status,
        type: entry.response?.location?.split('/')[0],
        keys: Object.keys(entry.response ?? {})
          .filter((key) => key !== 'etag')
          .sort(),
      }));
    // Same entries (status, location type, fields); the official examples are not always in
    // request order, ours are (FHIR transaction rule), which the first test checks.
    const sorted = (bundle: Bundle) =>
      shape(bundle).sort((a, b) => String(a.type).localeCompare(String(b.type)));
    expect(sorted(res.body as Bundle)).toEqual(sorted(official));
  });
});

describe('ITI-65 for a DMP: every document belongs to a patient known by INS', () => {
  it('refuses the examples as published when they name no patient, or one of another server (422)', async () => {
    for (const file of [
      'Bundle-ex-minimalProvideDocumentBundleSimpleContained.json',
      'Bundle-ex-comprehensiveProvideDocumentBundleDocument.json',
    ]) {
      const res = await post(uniquify(readFixture<Bundle>('mhd-4.2.3', file))).expect(422);
      expect(res.body.issue[0].details.coding[0].code).toBe('DMP-PATIENT-NO-DMP');
    }
  });

  it('refuses a bundled Patient without an INS (422)', async () => {
    const file = 'Bundle-ex-minimalProvideDocumentBundleSimple.json';
    const res = await post(uniquify(readFixture<Bundle>('mhd-4.2.3', file))).expect(422);
    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-PATIENT-NO-DMP');
  });
});

describe('malformed ITI-65 input never gives a 500', () => {
  it.each([
    ['a Patient instead of a Bundle', { resourceType: 'Patient' }],
    [
      'entries that are not objects',
      { resourceType: 'Bundle', type: 'transaction', entry: [1, 'x'] },
    ],
    [
      'an entry without request',
      {
        resourceType: 'Bundle',
        type: 'transaction',
        meta: {
          profile: [
            'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.ProvideBundle',
          ],
        },
        entry: [{ resource: { resourceType: 'Binary', contentType: 'text/plain' } }],
      },
    ],
    ['a batch', { resourceType: 'Bundle', type: 'batch' }],
    ['an array', [1, 2]],
    ['entry that is not an array', { resourceType: 'Bundle', type: 'transaction', entry: 'x' }],
    ['a null entry', { resourceType: 'Bundle', type: 'transaction', entry: [null] }],
  ])('%s → 4xx OperationOutcome', async (_name, body) => {
    const res = await post(body);

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].details.coding[0].code).toMatch(/^DMP-/);
  });
});
