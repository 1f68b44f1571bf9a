import request from 'supertest';
import type { Bundle, DocumentReference } from 'fhir/r4';
import { buildProvideBundle, INS_SYSTEM, makeIns, type DocumentOptions } from './builders';
import { FIXTURE_PATIENTS, openHarness, type Harness } from './harness';

let h: Harness;
const ins = makeIns(4242);
const docs: Record<string, DocumentReference> = {};

async function provide(options: DocumentOptions): Promise<DocumentReference> {
  const res = await request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(buildProvideBundle(options)));
  expect(res.body.issue ?? []).toEqual([]);
  const location = (res.body.entry as { response: { location: string } }[])
    .map((e) => e.response.location)
    .find((l) => l.startsWith('DocumentReference/'));
  const id = location?.split('/')[1] ?? '';
  return h.store.read<DocumentReference>('DocumentReference', id);
}

const get = (type: string, query: string) =>
  request(h.app).get(`/fhir/${type}?${query}`).set('Authorization', `Bearer ${h.systemToken}`);
const post = (type: string, query: string) =>
  request(h.app)
    .post(`/fhir/${type}/_search`)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .send(query);

function idsOf(bundle: Bundle): string[] {
  return (bundle.entry ?? [])
    .flatMap((e) => (e.search?.mode === 'match' && e.resource?.id ? [e.resource.id] : []))
    .sort();
}

beforeAll(async () => {
  h = await openHarness();
  docs.first = await provide({ ins });
  docs.second = await provide({
    ins,
    type: '34133-9',
    category: '11',
    setting: 'AMBULATOIRE',
    facility: 'SA05',
    event: 'X1',
    format: 'urn:ihe:pcc:xphr:2007',
    label: 'R',
    authorFamily: 'Durand',
    authorGiven: 'Paul',
    creation: '2024-06-01T08:00:00Z',
    date: '2024-06-02T08:00:00Z',
    periodStart: '2024-05-01',
    periodEnd: '2024-05-03',
    related: 'Encounter/enc-1',
  });
  docs.archived = await provide({ ins, type: '60591-5', archived: true });
  docs.other = await provide({ ins: makeIns(777) });
});
afterAll(() => h.close());

const patient = `patient.identifier=${encodeURIComponent(`${INS_SYSTEM}|${ins}`)}&status=current`;

describe('ITI-67 Find Document References', () => {
  const cases: [string, () => string, () => string[]][] = [
    [
      'identifier (masterIdentifier)',
      () =>
        `identifier=${encodeURIComponent(`urn:ietf:rfc:3986|${docs.first?.masterIdentifier?.value ?? ''}`)}`,
      () => [docs.first?.id ?? ''],
    ],
    ['type', () => 'type=http://loinc.org|34133-9', () => [docs.second?.id ?? '']],
    ['category', () => 'category=11', () => [docs.second?.id ?? '']],
    ['setting', () => 'setting=AMBULATOIRE', () => [docs.second?.id ?? '']],
    ['facility', () => 'facility=SA05', () => [docs.second?.id ?? '']],
    ['event', () => 'event=X1', () => [docs.second?.id ?? '']],
    ['security-label', () => 'security-label=R', () => [docs.second?.id ?? '']],
    ['format', () => 'format=urn:ihe:pcc:xphr:2007', () => [docs.second?.id ?? '']],
    ['author.family', () => 'author.family=Durand', () => [docs.second?.id ?? '']],
    ['author.given', () => 'author.given=Paul', () => [docs.second?.id ?? '']],
    ['creation', () => 'creation=lt2025-01-01', () => [docs.second?.id ?? '']],
    ['date', () => 'date=lt2025-01-01', () => [docs.second?.id ?? '']],
    ['period', () => 'period=lt2024-12-31', () => [docs.second?.id ?? '']],
    ['period-start', () => 'period-start=2024-05-01', () => [docs.second?.id ?? '']],
    ['period-end', () => 'period-end=2024-05-03', () => [docs.second?.id ?? '']],
    ['related', () => 'related=Encounter/enc-1', () => [docs.second?.id ?? '']],
    ['_id', () => `_id=${docs.second?.id ?? ''}`, () => [docs.second?.id ?? '']],
    [
      '_lastUpdated',
      () => '_lastUpdated=gt2000-01-01',
      () => [docs.first?.id ?? '', docs.second?.id ?? ''].sort(),
    ],
    [
      'isArchived (archived shown only when asked)',
      () => 'isArchived=true',
      () => [docs.archived?.id ?? ''],
    ],
    [
      'combined type + category + security-label',
      () => 'type=34133-9&category=11&security-label=R',
      () => [docs.second?.id ?? ''],
    ],
    ['combined with no match (empty searchset)', () => 'type=34133-9&category=10', () => []],
  ];

  it.each(cases)(
    '%s alone, by GET and POST _search, finds exactly the expected documents',
    async (_name, query, expected) => {
      const byGet = await get('DocumentReference', `${patient}&${query()}`).expect(200);
      const byPost = await post('DocumentReference', `${patient}&${query()}`).expect(200);

      expect(idsOf(byGet.body)).toEqual(expected());
      expect(idsOf(byPost.body)).toEqual(expected());
    },
  );

  it('hides archived documents and other patients when only patient and status are given', async () => {
    const res = await get('DocumentReference', patient).expect(200);

    expect(idsOf(res.body)).toEqual([docs.first?.id ?? '', docs.second?.id ?? ''].sort());
  });

  it('answers absolute opaque attachment URLs without the INS', async () => {
    const res = await get('DocumentReference', patient).expect(200);
    const urls = (res.body.entry as { resource: DocumentReference }[]).map(
      (e) => e.resource.content[0]?.attachment.url ?? '',
    );

    for (const url of urls) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/Binary\/[A-Za-z0-9\-.]+$/);
      expect(url).not.toContain(ins);
    }
  });

  it.each([
    ['no patient', 'status=current'],
    ['no status', `patient.identifier=${INS_SYSTEM}|${ins}`],
  ])('refuses a search with %s (400 naming the parameter)', async (_name, query) => {
    const res = await get('DocumentReference', query).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-MHD-SEARCH-PARAMETER-REQUIRED');
    expect(res.body.issue[0].expression.length).toBeGreaterThan(0);
  });

  it('refuses an INS with a wrong key (400 DMP-INS-INVALID)', async () => {
    const res = await get(
      'DocumentReference',
      `patient.identifier=${INS_SYSTEM}|255081416802539&status=current`,
    ).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-INS-INVALID');
  });

  it('pages through a result larger than one page, every match exactly once', async () => {
    const pagedIns = makeIns(99);
    const created: string[] = [];
    for (let i = 0; i < 23; i++) created.push((await provide({ ins: pagedIns })).id ?? '');
    const seen: string[] = [];

    let url: string | undefined =
      `/fhir/DocumentReference?patient.identifier=${encodeURIComponent(`${INS_SYSTEM}|${pagedIns}`)}&status=current&_count=5&_sort=-date`;
    let pages = 0;
    while (url !== undefined && pages < 20) {
      const res: request.Response = await request(h.app)
        .get(url)
        .set('Authorization', `Bearer ${h.systemToken}`)
        .expect(200);
      seen.push(...idsOf(res.body));
      expect(res.body.total).toBe(23);
      const next: string | undefined = (res.body.link as { relation: string; url: string }[]).find(
        (l) => l.relation === 'next',
      )?.url;
      if (next !== undefined)
        expect(next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/DocumentReference\?.*_cursor=/);
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
      pages++;
    }

    expect(pages).toBe(5);
    expect(seen.sort()).toEqual(created.sort());
  });

  it.each([
    ['ITI-67 by GET', () => get('DocumentReference', patient)],
    ['ITI-67 by GET, _total=none', () => get('DocumentReference', `${patient}&_total=none`)],
    ['ITI-67 by POST', () => post('DocumentReference', patient)],
    ['ITI-67 with nothing found', () => get('DocumentReference', `${patient}&type=none`)],
    ['ITI-66 by GET', () => get('List', `${patient}&code=submissionset`)],
    ['ITI-66 by POST, _total=none', () => post('List', `${patient}&_total=none`)],
  ])('always gives Bundle.total (1..1 in MHD and PDSm): %s', async (_name, search) => {
    const res = await search().expect(200);

    const matches = (res.body.entry ?? []).filter(
      (e: { search?: { mode?: string } }) => e.search?.mode === 'match',
    );
    expect(res.body.total).toBe(matches.length);
  });

  it.each([
    ['creation', () => [docs.second?.id, docs.first?.id]],
    ['-creation', () => [docs.first?.id, docs.second?.id]],
    ['period', () => [docs.second?.id, docs.first?.id]],
    ['-date', () => [docs.first?.id, docs.second?.id]],
  ])('sorts on _sort=%s', async (sort, expected) => {
    const res = await get('DocumentReference', `${patient}&_sort=${sort}`).expect(200);

    const order = (res.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id);
    expect(order).toEqual(expected());
  });

  it('finds by patient reference too: Patient/<id> and the INS name one record', async () => {
    const ins = FIXTURE_PATIENTS['ex-patient'] ?? '';
    const stored = await provide({ ins });

    const byReference = await get('DocumentReference', 'patient=Patient/ex-patient&status=current');
    const byIns = await get(
      'DocumentReference',
      `patient.identifier=${INS_SYSTEM}|${ins}&status=current`,
    );

    const ids = (res: request.Response) =>
      (res.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id).sort();
    expect(ids(byReference)).toContain(stored.id);
    expect(ids(byReference)).toEqual(ids(byIns));
  });

  it('answers 422 DMP-PATIENT-NO-DMP for a Patient/<id> nobody knows', async () => {
    const res = await get('DocumentReference', 'patient=Patient/nobody-here&status=current').expect(
      422,
    );

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-PATIENT-NO-DMP');
  });

  it('caps _count at the server maximum instead of refusing it', async () => {
    const res = await get('DocumentReference', `${patient}&_count=5000`).expect(200);

    expect(res.body.type).toBe('searchset');
  });
});

describe('ITI-66 Find Document Lists', () => {
  it.each([
    ['code', 'code=https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes|submissionset'],
    ['designationType', 'designationType=http://loinc.org|11488-4'],
    ['sourceId', 'sourceId=urn:oid:1.2.250.1.999.1'],
    ['date', 'date=2025-03-01'],
    ['status alone with patient', 'code=submissionset'],
  ])(
    '%s with patient.identifier and status, by GET and POST, finds the SubmissionSets',
    async (_name, query) => {
      const byGet = await get('List', `${patient}&${query}`).expect(200);
      const byPost = await post('List', `${patient}&${query}`).expect(200);

      expect(idsOf(byGet.body)).toHaveLength(3);
      expect(idsOf(byPost.body)).toEqual(idsOf(byGet.body));
    },
  );
});
