import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { AuditEvent, Binary, Bundle, BundleEntry, DocumentReference, List } from 'fhir/r4';
import type { SearchQuery } from '@dmp/fhir';
import { AUDIT_TOPIC } from '../src/app';
import { buildDocument, buildProvideBundle, makeIns, MHD } from './builders';
import { asDmpSubmission, openHarness, readFixture, uniquify, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

const post = (bundle: unknown) =>
  request(h.app)
    .post('/fhir')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));

async function count(resourceType: string): Promise<number> {
  const query: SearchQuery = {
    resourceType,
    filters: [],
    sort: [],
    count: 0,
    total: 'accurate',
    summaryCount: true,
  };
  return (await h.store.search(query)).total ?? -1;
}

function countFiles(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    total += statSync(full).isDirectory() ? countFiles(full) : 1;
  }
  return total;
}

async function snapshot() {
  return {
    documents: await count('DocumentReference'),
    lists: await count('List'),
    binaries: await count('Binary'),
    blobs: countFiles(h.blobDir),
    audit: await auditOutcomes(),
  };
}

/** Outcomes of the audit records waiting in the outbox, oldest first (a lease of 0 only peeks). */
async function auditOutcomes(): Promise<string[]> {
  const records = await h.store.outbox.claim(AUDIT_TOPIC, 100_000, 0);
  return records.map((r) => String((r.payload as { outcome?: unknown }).outcome));
}

function locationOf(res: request.Response, type: string): string {
  const location = (res.body.entry as { response: { location: string } }[])
    .map((e) => e.response.location)
    .find((l) => l.startsWith(`${type}/`));
  return location?.split('/_history')[0] ?? '';
}

/** A second DocumentReference + Binary appended to a bundle (and listed in its SubmissionSet). */
function withSecondDocument(
  bundle: Bundle,
  ins: string,
  tamper: (doc: DocumentReference) => void,
): Bundle {
  const bytes = Buffer.from('second document');
  const doc = buildDocument({ ins }, 'urn:uuid:bbbbbbbb-0000-0000-0000-000000000002', bytes);
  tamper(doc);
  const entries: BundleEntry[] = [
    ...(bundle.entry ?? []),
    {
      fullUrl: 'urn:uuid:bbbbbbbb-0000-0000-0000-000000000001',
      resource: doc,
      request: { method: 'POST', url: 'DocumentReference' },
    },
    {
      fullUrl: 'urn:uuid:bbbbbbbb-0000-0000-0000-000000000002',
      resource: {
        resourceType: 'Binary',
        contentType: 'application/pdf',
        data: bytes.toString('base64'),
      } as BundleEntry['resource'],
      request: { method: 'POST', url: 'Binary' },
    },
  ];
  const set = entries[0]?.resource as List;
  set.entry = [
    ...(set.entry ?? []),
    { item: { reference: 'urn:uuid:bbbbbbbb-0000-0000-0000-000000000001' } },
  ];
  return { ...bundle, entry: entries };
}

describe('ITI-65 atomicity and integrity', () => {
  it('a bundle failing on its last document leaves every count, blob and audit record unchanged', async () => {
    const ins = makeIns(501);
    const before = await snapshot();
    const bundle = withSecondDocument(buildProvideBundle({ ins }), ins, (doc) => {
      const attachment = doc.content[0]?.attachment;
      if (attachment) attachment.hash = Buffer.alloc(20, 7).toString('base64');
    });

    const res = await post(bundle).expect(422);

    expect(res.body.issue[0].details.coding.map((c: { code: string }) => c.code)).toEqual([
      'DMP-MHD-HASH-MISMATCH',
      'XDSNonIdenticalHash',
    ]);
    expect(res.body.issue[0].expression).toEqual([
      'Bundle.entry[3].resource.content[0].attachment.hash',
    ]);
    // Nothing of the submission, and its refusal traced (outcome 4).
    expect(await snapshot()).toEqual({ ...before, audit: [...before.audit, '4'] });
  });

  it('rejects a size mismatch with XDSNonIdenticalSize', async () => {
    const ins = makeIns(502);
    const bundle = withSecondDocument(buildProvideBundle({ ins }), ins, (doc) => {
      const attachment = doc.content[0]?.attachment;
      if (attachment) attachment.size = 1;
    });

    const res = await post(bundle).expect(422);

    expect(res.body.issue[0].details.coding[1].code).toBe('XDSNonIdenticalSize');
  });

  it('rejects a missing Binary (XDSMissingDocument) and persists nothing', async () => {
    const before = await snapshot();
    const bundle = buildProvideBundle({ ins: makeIns(503) });
    bundle.entry = bundle.entry?.filter((e) => e.resource?.resourceType !== 'Binary');

    const res = await post(bundle).expect(400);

    expect(res.body.issue[0].details.coding[1].code).toBe('XDSMissingDocument');
    expect(await snapshot()).toEqual({ ...before, audit: [...before.audit, '4'] });
  });

  it('rejects a duplicate masterIdentifier with 409 XDSDuplicateUniqueIdInRegistry', async () => {
    const masterId = `urn:oid:1.2.250.1.999.77.${String(Date.now())}`;
    await post(buildProvideBundle({ ins: makeIns(504), masterId })).expect(200);

    const res = await post(buildProvideBundle({ ins: makeIns(504), masterId })).expect(409);

    expect(res.body.issue[0].details.coding[1].code).toBe('XDSDuplicateUniqueIdInRegistry');
  });

  it('rejects an INS with a wrong key and a resource type outside the slicing', async () => {
    const badIns = await post(buildProvideBundle({ ins: '255081416802539' })).expect(400);
    const bundle = buildProvideBundle({ ins: makeIns(505) });
    bundle.entry?.push({
      resource: {
        resourceType: 'Observation',
        status: 'final',
        code: {},
      } as BundleEntry['resource'],
      request: { method: 'POST', url: 'Observation' },
    });
    const closed = await post(bundle).expect(400);

    expect(badIns.body.issue[0].details.coding[0].code).toBe('DMP-INS-INVALID');
    expect(closed.body.issue[0].expression).toEqual(['Bundle.entry[3].resource']);
  });

  it('stores the canonical hash when the client sends the MHD 4.2.3 hex-text erratum', async () => {
    const example = uniquify(
      readFixture<Bundle>('mhd-4.2.3', 'Bundle-ex-comprehensiveProvideDocumentBundleSimple.json'),
    );

    const res = await post(example).expect(200);
    const stored = await h.store.read<DocumentReference>(
      'DocumentReference',
      locationOf(res, 'DocumentReference').split('/')[1] ?? '',
    );

    const binary = example.entry?.[2]?.resource as Binary;
    const canonical = createHash('sha1')
      .update(Buffer.from(binary.data ?? '', 'base64'))
      .digest('base64');
    expect(canonical).not.toBe(
      (example.entry?.[1]?.resource as DocumentReference).content[0]?.attachment.hash,
    );
    expect(stored.content[0]?.attachment.hash).toBe(canonical);
  });

  it('records one MHD-shaped ITI-65 AuditEvent (Import, patient, submission set) with the submission', async () => {
    const before = await h.store.outbox.pending(AUDIT_TOPIC);

    const res = await post(buildProvideBundle({ ins: makeIns(506) })).expect(200);

    expect(await h.store.outbox.pending(AUDIT_TOPIC)).toBe(before + 1);
    const records = await h.store.outbox.claim(AUDIT_TOPIC, 10_000, 0);
    const event = records
      .map((r) => r.payload as AuditEvent)
      .find((e) => e.entity?.some((en) => en.what?.reference === locationOf(res, 'List')));
    expect(event).toMatchObject({
      type: { code: '110107' },
      subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-65' }],
      action: 'C',
      outcome: '0',
    });
    expect(event?.entity?.find((en) => en.role?.code === '1')?.what?.identifier?.value).toBe(
      makeIns(506),
    );
    expect(event?.entity?.find((en) => en.role?.code === '20')?.what?.reference).toBe(
      locationOf(res, 'List'),
    );
  });
});

describe('replace flow', () => {
  it('the MHD Replace example supersedes its (pre-created) original; status=current finds only the new one', async () => {
    const original = await post(
      uniquify(
        readFixture<Bundle>('mhd-4.2.3', 'Bundle-ex-comprehensiveProvideDocumentBundleSimple.json'),
      ),
    ).expect(200);
    const originalRef = locationOf(original, 'DocumentReference');
    const text = JSON.stringify(
      uniquify(
        readFixture<Bundle>(
          'mhd-4.2.3',
          'Bundle-ex-comprehensiveProvideDocumentBundleReplace.json',
        ),
      ),
    );
    const replacement = JSON.parse(
      text.replaceAll('DocumentReference/ex-documentreference', originalRef),
    ) as Bundle;
    // Second defect of this example (besides the hex hash): size 24 for the 23 bytes of
    // "Thanks for all the fish". Size mismatches are refused, so the test gives the true size.
    const newDocument = replacement.entry?.[2]?.resource as DocumentReference;
    const attachment = newDocument.content[0]?.attachment;
    if (attachment) attachment.size = 23;

    const res = await post(replacement);

    expect(res.body.issue ?? []).toEqual([]);
    expect(res.status).toBe(200);
    expect(res.body.entry[1].response.status).toBe('200 OK');
    const old = await h.store.read<DocumentReference>(
      'DocumentReference',
      originalRef.split('/')[1] ?? '',
    );
    expect(old.status).toBe('superseded');
    const found = await request(h.app)
      .get('/fhir/DocumentReference?patient=Patient/ex-patient&status=current&relation=replaces')
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    expect(
      found.body.entry.map(
        (e: { resource: DocumentReference }) => e.resource.relatesTo?.[0]?.target.reference,
      ),
    ).toContain(originalRef);
    const byTarget = await request(h.app)
      .get(
        `/fhir/DocumentReference?patient=Patient/ex-patient&status=current&relatesto=${originalRef}`,
      )
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    expect(byTarget.body.entry).toHaveLength(1);
  });

  it('refuses to replace a document of another patient and leaves it current', async () => {
    const first = await post(buildProvideBundle({ ins: makeIns(601) })).expect(200);
    const target = locationOf(first, 'DocumentReference');
    const bundle = buildProvideBundle({
      ins: makeIns(602),
      relatesTo: [{ code: 'replaces', target: { reference: target } }],
    });

    const res = await post(bundle).expect(422);

    // Another patient's document is "not known" to this submission: the answer reveals nothing.
    expect(res.body.issue[0].details.coding[1].code).toBe('UnresolvedReferenceException');
    expect(res.body.issue[0].diagnostics).toBe('The related DocumentReference is not known');
    expect(
      (await h.store.read<DocumentReference>('DocumentReference', target.split('/')[1] ?? ''))
        .status,
    ).toBe('current');
  });

  it('appends to an existing Folder when a Folder with its identifier is PUT again', async () => {
    const file = 'Bundle-ex-ProvideDocumentBundle-addToFolder.json';
    const first = uniquify(readFixture<Bundle>('mhd-4.2.3', file));
    const firstRes = await post(first).expect(200);
    const folderId = (firstRes.body.entry[2].response.location as string).split('/')[1] ?? '';
    const second = uniquify(readFixture<Bundle>('mhd-4.2.3', file));
    (second.entry?.[2]?.resource as List).identifier = (
      first.entry?.[2]?.resource as List
    ).identifier;

    const res = await post(second).expect(200);

    expect(res.body.entry[2].response.status).toBe('200 OK');
    expect((res.body.entry[2].response.location as string).split('/')[1]).toBe(folderId);
    const folder = await h.store.read<List>('List', folderId);
    expect(folder.entry).toHaveLength(3);
  });

  it('publishes a FHIR Document and serves it back as application/fhir+json', async () => {
    const res = await post(
      asDmpSubmission(
        uniquify(
          readFixture<Bundle>(
            'mhd-4.2.3',
            'Bundle-ex-comprehensiveProvideDocumentBundleDocument.json',
          ),
        ),
      ),
    ).expect(200);
    const binary = res.body.entry[2].response.location.split('/_history')[0];

    const doc = await request(h.app)
      .get(`/fhir/${String(binary)}`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);

    expect(doc.headers['content-type']).toBe('application/fhir+json');
    expect(JSON.parse(String(doc.text))).toMatchObject({
      resourceType: 'Bundle',
      type: 'document',
    });
  });

  it('accepts a PDSm comprehensive bundle built from the PDSm examples', async () => {
    const pdsmDoc = readFixture<DocumentReference>(
      'pdsm-3.1.1',
      'examples',
      'DocumentReference-exemple-pdsm-documentreference.json',
    );
    const set = readFixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleSubmissionSet.json');
    const folder = readFixture<List>('pdsm-3.1.1', 'examples', 'List-ExampleFolder.json');
    const binary = readFixture<{ resourceType: 'Binary'; contentType: string; data: string }>(
      'pdsm-3.1.1',
      'examples',
      'Binary-6789.json',
    );
    const bytes = Buffer.from(binary.data, 'base64');
    // The example's hash is the empty-file digest and its size 345678: give the Binary's real ones.
    const content = pdsmDoc.content[0];
    if (content)
      content.attachment = {
        ...content.attachment,
        url: 'urn:uuid:c0000000-0000-0000-0000-000000000003',
        size: bytes.length,
        hash: createHash('sha1').update(bytes).digest('base64'),
      };
    const docUrl = 'urn:uuid:c0000000-0000-0000-0000-000000000002';
    set.entry = [{ item: { reference: docUrl } }];
    folder.entry = [{ item: { reference: docUrl } }];
    const bundle: Bundle = uniquify({
      resourceType: 'Bundle',
      meta: {
        profile: [
          'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle',
        ],
      },
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:c0000000-0000-0000-0000-000000000001',
          resource: set,
          request: { method: 'POST', url: 'List' },
        },
        {
          fullUrl: docUrl,
          resource: pdsmDoc,
          request: { method: 'POST', url: 'DocumentReference' },
        },
        {
          fullUrl: 'urn:uuid:c0000000-0000-0000-0000-000000000004',
          resource: folder,
          request: { method: 'POST', url: 'List' },
        },
        {
          fullUrl: 'urn:uuid:c0000000-0000-0000-0000-000000000003',
          resource: binary,
          request: { method: 'POST', url: 'Binary' },
        },
      ],
    });

    const res = await post(bundle);

    expect(res.body.issue ?? []).toEqual([]);
    expect(res.status).toBe(200);
    expect(
      res.body.entry.map(
        (e: { response: { location: string } }) => e.response.location.split('/')[0],
      ),
    ).toEqual(['List', 'DocumentReference', 'List', 'Binary']);
    expect(`${MHD}`).toContain('ITI/MHD');
  });
});
