import request from 'supertest';
import type { Bundle, DocumentReference, Identifier, List } from 'fhir/r4';
import { buildProvideBundle, makeIns } from './builders';
import { openHarness, type Harness } from './harness';

/**
 * MHD 4.2.4 (CP-ITI-1328) slices DocumentReference and List identifiers by `identifier.type`
 * (CodeSystem IHE.MHD.MHDIdentifierType: `uniqueId`, `entryUUID`) where 4.2.3 used `use`; the
 * uniqueId slice equals masterIdentifier; DocumentReference and List gain the
 * `ihe-HomeCommunityId` extension. Both forms are accepted and searchable.
 */
const TYPES = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/IHE.MHD.MHDIdentifierType';
const RFC3986 = 'urn:ietf:rfc:3986';
const HOME_COMMUNITY = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-HomeCommunityId';
const typed = (code: 'uniqueId' | 'entryUUID') => ({ coding: [{ system: TYPES, code }] });

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

/** A Comprehensive bundle written the MHD 4.2.4 way (identifiers typed, homeCommunityId). */
function bundle424(ins: string): { bundle: Bundle; document: DocumentReference; set: List } {
  const bundle = buildProvideBundle({ ins });
  const set = bundle.entry?.[0]?.resource as List;
  const document = bundle.entry?.[1]?.resource as DocumentReference;
  const homeCommunity = {
    url: HOME_COMMUNITY,
    valueIdentifier: { system: RFC3986, value: 'urn:oid:1.2.250.1.999.7' },
  };
  set.identifier = (set.identifier ?? []).map(({ use: _use, ...rest }) => ({
    ...rest,
    type: typed('uniqueId'),
  }));
  set.extension = [...(set.extension ?? []), homeCommunity];
  document.masterIdentifier = { ...document.masterIdentifier, type: typed('uniqueId') };
  document.identifier = [
    { type: typed('uniqueId'), system: RFC3986, value: document.masterIdentifier.value },
  ];
  document.extension = [homeCommunity];
  return { bundle, document, set };
}

const provide = (bundle: Bundle) =>
  request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));

const byIdentifier = (ins: string, identifier: Identifier) =>
  request(h.app)
    .get(
      `/fhir/DocumentReference?patient.identifier=urn:oid:1.2.250.1.213.1.4.8|${ins}&status=current` +
        `&identifier=${encodeURIComponent(`${identifier.system ?? ''}|${identifier.value ?? ''}`)}`,
    )
    .set('Authorization', `Bearer ${h.systemToken}`)
    .expect(200);

async function storedDocument(res: request.Response): Promise<DocumentReference> {
  const location = (res.body as Bundle).entry
    ?.map((e) => e.response?.location ?? '')
    .find((l) => l.startsWith('DocumentReference/'));
  return h.store.read<DocumentReference>('DocumentReference', location?.split('/')[1] ?? '');
}

describe('MHD 4.2.4 identifiers', () => {
  it('accepts a 4.2.4 bundle, stores it, and finds it by its uniqueId and by its entryUUID', async () => {
    const ins = makeIns(1240);
    const { bundle, document } = bundle424(ins);

    const res = await provide(bundle);

    expect(res.body.issue ?? []).toEqual([]);
    expect(res.status).toBe(200);
    const stored = await storedDocument(res);
    expect(stored.extension).toEqual(document.extension);
    const entryUuids = (stored.identifier ?? []).filter((i) =>
      i.type?.coding?.some((c) => c.system === TYPES && c.code === 'entryUUID'),
    );
    expect(entryUuids).toHaveLength(1);
    expect(entryUuids[0]?.use).toBe('official');
    for (const identifier of [document.masterIdentifier ?? {}, entryUuids[0] ?? {}]) {
      const found = (await byIdentifier(ins, identifier)).body as Bundle;
      expect({
        value: identifier.value,
        total: found.total,
        id: found.entry?.[0]?.resource?.id,
      }).toEqual({
        value: identifier.value,
        total: 1,
        id: stored.id,
      });
    }
  });

  it('still accepts the 4.2.3 form (slices by use) and finds both of its identifiers', async () => {
    const ins = makeIns(1241);
    const bundle = buildProvideBundle({ ins });

    const res = await provide(bundle).expect(200);

    const stored = await storedDocument(res);
    const entryUuid = stored.identifier?.find((i) => i.use === 'official');
    expect(entryUuid?.value).toMatch(/^urn:uuid:/);
    const master = (bundle.entry?.[1]?.resource as DocumentReference).masterIdentifier ?? {};
    for (const identifier of [master, entryUuid ?? {}]) {
      expect(((await byIdentifier(ins, identifier)).body as Bundle).total).toBe(1);
    }
  });

  it('keeps an entryUUID the client typed (4.2.4) instead of adding a second one', async () => {
    const ins = makeIns(1242);
    const { bundle, document } = bundle424(ins);
    const entryUuid = {
      type: typed('entryUUID'),
      system: RFC3986,
      value: 'urn:uuid:6f1b1e1c-3c0f-4d55-9d59-2f6f1d2a4b11',
    };
    document.identifier = [...(document.identifier ?? []), entryUuid];

    const stored = await storedDocument(await provide(bundle).expect(200));

    expect(stored.identifier).toEqual(document.identifier);
  });

  it('refuses a uniqueId slice that is not the masterIdentifier, naming it', async () => {
    const { bundle, document } = bundle424(makeIns(1243));
    document.identifier = [
      { type: typed('uniqueId'), system: RFC3986, value: 'urn:oid:1.2.3.4.5' },
    ];

    const res = await provide(bundle).expect(400);

    expect(res.body.issue).toHaveLength(1);
    expect(res.body.issue[0].details.coding.map((c: { code: string }) => c.code)).toEqual([
      'DMP-MHD-BUNDLE-INVALID',
      'XDSRegistryMetadataError',
    ]);
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1].resource.identifier[0]']);
  });

  it('does not take a typed entryUUID for the SubmissionSet uniqueId', async () => {
    const { bundle, set } = bundle424(makeIns(1244));
    set.identifier = [
      {
        type: typed('entryUUID'),
        system: RFC3986,
        value: 'urn:uuid:0b3e8b1e-5c55-4f43-9d1c-8d1b6c0b1a22',
      },
    ];

    const res = await provide(bundle).expect(400);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-MHD-METADATA-MISSING');
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[0].resource.identifier']);
  });
});
