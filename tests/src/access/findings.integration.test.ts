import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AuditEvent, Bundle, DocumentReference } from 'fhir/r4';
import { INS_SYSTEM } from '../wiring/wired-harness';
import {
  MASK_PATCH,
  blockProfessional,
  claims,
  documentBundle,
  INS_A,
  INS_B,
  INS_H,
  ORG_A,
  ORG_B,
  PS,
  relatedBundle,
  VISIBILITY,
  openWorld,
  type World,
} from './world';

/**
 * One regression test per finding of issue 10 (the access-control review), named after what it
 * protects, on the wired services. The permission matrix covers the same ground cell by cell;
 * these follow each attack through, including the changes a permitted caller makes.
 */
let world: World;
const A = `${INS_SYSTEM}|${INS_A}`;
const B = `${INS_SYSTEM}|${INS_B}`;
const token = (c: Record<string, unknown>) => world.token(c);

beforeAll(async () => {
  world = await openWorld();
}, 120_000);
afterAll(() => world.close());

const docs = () => request(world.wired.documents);

async function submit(
  bearer: string,
  bundle: Bundle,
  expected = 200,
): Promise<{ id: string; binaryId: string }> {
  const res = await docs()
    .post('/fhir')
    .set('Authorization', `Bearer ${bearer}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));
  expect({ status: res.status, text: res.status === expected ? '' : res.text }).toEqual({
    status: expected,
    text: '',
  });
  const locations = (res.body as Bundle).entry?.map((e) => e.response?.location ?? '') ?? [];
  const idOf = (type: string) =>
    locations.find((l) => l.startsWith(`${type}/`))?.split('/')[1] ?? '';
  return { id: idOf('DocumentReference'), binaryId: idOf('Binary') };
}

function jsonPatch(id: string, bearer: string, operations: object[]) {
  return docs()
    .patch(`/fhir/DocumentReference/${id}`)
    .set('Authorization', `Bearer ${bearer}`)
    .set('Content-Type', 'application/json-patch+json')
    .send(JSON.stringify(operations));
}

async function stored(id: string): Promise<DocumentReference> {
  return world.wired.documentsStore.read<DocumentReference>('DocumentReference', id);
}

const hospitalA = () => token(claims.system('chu-a', ORG_A));
const careTeam = () => token(claims.practitioner(PS.careTeam, { attestation: 'care_team' }));

async function maskedDocument(): Promise<string> {
  const { id } = await submit(await hospitalA(), documentBundle(INS_A, `M-${randomUUID()}`));
  await jsonPatch(id, await token(claims.patient(INS_A)), MASK_PATCH).expect(200);
  return id;
}

describe('finding 1: a search reads the one patient it names, decided, and nobody else', () => {
  it.each([
    [
      'GET, lenient unknown modifier',
      (t: string) =>
        docs()
          .get(`/fhir/DocumentReference?patient:Foo.identifier=${B}&status=current&_count=100`)
          .set('Authorization', `Bearer ${t}`)
          .set('Prefer', 'handling=lenient'),
    ],
    [
      'POST _search, lenient unknown modifier',
      (t: string) =>
        docs()
          .post('/fhir/DocumentReference/_search')
          .set('Authorization', `Bearer ${t}`)
          .set('Prefer', 'handling=lenient')
          .type('form')
          .send(`patient:Foo.identifier=${B}&status=current`),
    ],
    [
      'List, lenient unknown modifier',
      (t: string) =>
        docs()
          .get(`/fhir/List?patient:Foo.identifier=${B}&status=current`)
          .set('Authorization', `Bearer ${t}`)
          .set('Prefer', 'handling=lenient'),
    ],
  ])("%s: 400, never every patient's documents", async (_, send) => {
    for (const bearer of [
      await token(claims.patient(INS_B)),
      await token(claims.practitioner(PS.blocked, { attestation: 'care_team' })),
    ]) {
      const res = await send(bearer).expect(400);
      expect(res.body.issue[0].details.coding[0].code).toBe('DMP-MHD-SEARCH-PARAMETER-REQUIRED');
      expect(res.text).not.toContain(world.documents.plain.marker);
    }
  });

  it('a patient naming another patient is refused (403), whatever else the query says', async () => {
    const res = await docs()
      .get(`/fhir/DocumentReference?patient.identifier=${A}&status=current&_id:not=x`)
      .set('Authorization', `Bearer ${await token(claims.patient(INS_B))}`)
      .expect(403);
    expect(res.text).not.toContain(world.documents.plain.marker);
  });
});

describe('finding 2: no unmasking through PATCH, no change to what one may not see', () => {
  it('a care-team doctor refused the read gets the same 404 on PATCH (test, remove label) and nothing changes', async () => {
    const id = await maskedDocument();
    const doctor = await careTeam();
    const before = await stored(id);

    const test = await jsonPatch(id, doctor, [
      { op: 'test', path: '/status', value: 'current' },
    ]).expect(404);
    const unmask = await jsonPatch(id, doctor, [{ op: 'remove', path: '/securityLabel/1' }]).expect(
      404,
    );

    for (const res of [test, unmask]) expect(res.text).not.toContain('MASQUE');
    expect(await stored(id)).toEqual(before);
  });

  it('while the patient hides everything, the doctor cannot PATCH either', async () => {
    const { id } = await submit(await hospitalA(), documentBundle(INS_H, `H-${randomUUID()}`));
    await jsonPatch(id, await careTeam(), [
      { op: 'test', path: '/status', value: 'current' },
    ]).expect(404);
    await jsonPatch(id, await careTeam(), MASK_PATCH).expect(404);
  });

  it('the patient cannot lift an INVISIBLE_PATIENT label a doctor set; the doctor can (the announcement)', async () => {
    const { id } = await submit(
      await hospitalA(),
      documentBundle(INS_A, `I-${randomUUID()}`, { labels: ['INVISIBLE_PATIENT'], daysAgo: 40 }),
    );
    const lift = [{ op: 'remove', path: '/securityLabel/1' }];

    const refused = await jsonPatch(id, await token(claims.patient(INS_A)), lift).expect(403);
    expect(refused.text).toContain('CHANGE_NOT_ALLOWED');
    await jsonPatch(id, await careTeam(), lift).expect(200);
  });

  it('the patient masks, the médecin traitant unmasks on their behalf', async () => {
    const id = await maskedDocument();
    await jsonPatch(id, await token(claims.practitioner(PS.attending)), [
      { op: 'remove', path: '/securityLabel/1' },
    ]).expect(200);
    expect(JSON.stringify((await stored(id)).securityLabel)).not.toContain('MASQUE_PS');
  });
});

describe('finding 3: a past version is decided on the document as it is now', () => {
  it('vread of the unmasked version 1 of a masked document: 404, like its history', async () => {
    const id = await maskedDocument();
    const doctor = await careTeam();
    await docs()
      .get(`/fhir/DocumentReference/${id}/_history/1`)
      .set('Authorization', `Bearer ${doctor}`)
      .expect(404);
    await docs()
      .get(`/fhir/DocumentReference/${id}/_history`)
      .set('Authorization', `Bearer ${doctor}`)
      .expect(404);
    await docs()
      .get(`/fhir/DocumentReference/${id}/_history/1`)
      .set('Authorization', `Bearer ${await token(claims.patient(INS_A))}`)
      .expect(200);
  });
});

describe('finding 6: who may change a document', () => {
  it('another hospital cannot supersede it through ITI-65, with or without the PATCH entry, nor PATCH it', async () => {
    const { id } = await submit(await hospitalA(), documentBundle(INS_A, `R-${randomUUID()}`));
    const other = await token(claims.system('chu-b', ORG_B));
    const replacing = relatedBundle(documentBundle(INS_A, `X-${randomUUID()}`), 'replaces', id);
    const withoutPatch = { ...replacing, entry: replacing.entry?.slice(0, -1) };

    for (const bundle of [replacing, withoutPatch]) {
      const res = await submit(other, bundle, 422);
      void res;
    }
    await jsonPatch(id, other, [{ op: 'replace', path: '/status', value: 'superseded' }]).expect(
      404,
    );
    expect((await stored(id)).status).toBe('current');
  });

  it('the submitting system archives its document; an unrelated care-team doctor may not', async () => {
    const { id } = await submit(await hospitalA(), documentBundle(INS_A, `A-${randomUUID()}`));
    const archive = [
      {
        op: 'add',
        path: '/extension',
        value: [
          {
            url: 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived',
            valueBoolean: true,
          },
        ],
      },
    ];
    const refused = await jsonPatch(id, await careTeam(), archive).expect(403);
    expect(refused.text).toContain('ONLY_AUTHOR');
    await jsonPatch(id, await hospitalA(), archive).expect(200);
  });

  it('an author given as a contained PractitionerRole deletes their document (entered-in-error)', async () => {
    const { id } = await submit(await hospitalA(), documentBundle(INS_A, `D-${randomUUID()}`));
    const deletion = [{ op: 'replace', path: '/status', value: 'entered-in-error' }];
    const other = await jsonPatch(id, await careTeam(), deletion).expect(403);
    expect(other.body.issue[0].details.coding[0].code).toBe('DMP-PDSM-DELETE-NOT-AUTHOR');
    await jsonPatch(id, await token(claims.practitioner(PS.author, {}, ORG_A)), deletion).expect(
      200,
    );
  });

  it('a system finds the id of its own document by uniqueId (TD3.1b), and only its own', async () => {
    const bundle = documentBundle(INS_A, `T-${randomUUID()}`);
    const { id } = await submit(await hospitalA(), bundle);
    const master = (bundle.entry?.[1]?.resource as DocumentReference).masterIdentifier;
    const query = `/fhir/DocumentReference?patient.identifier=${A}&status=current&identifier=${encodeURIComponent(`${master?.system ?? ''}|${master?.value ?? ''}`)}`;

    const own = await docs()
      .get(query)
      .set('Authorization', `Bearer ${await hospitalA()}`)
      .expect(200);
    const other = await docs()
      .get(query)
      .set('Authorization', `Bearer ${await token(claims.system('chu-b', ORG_B))}`)
      .expect(200);

    expect((own.body as Bundle).entry?.map((e) => e.resource?.id)).toEqual([id]);
    expect((other.body as Bundle).entry ?? []).toEqual([]);
  });
});

describe('finding 7: every refusal is traced; every event reaches the audit log', () => {
  async function trail(requestId: string): Promise<AuditEvent[]> {
    await world.drained();
    const res = await request(world.wired.audit)
      .get(`/fhir/AuditEvent?entity-id=${requestId}`)
      .set('Authorization', `Bearer ${await token(claims.auditor())}`)
      .expect(200);
    return ((res.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
  }

  it.each([
    [
      'a rejected ITI-65',
      () =>
        docs()
          .post('/fhir')
          .set('Content-Type', 'application/fhir+json')
          .send({ resourceType: 'Bundle', type: 'transaction', entry: [] }),
    ],
    ['a 404 read', () => docs().get(`/fhir/DocumentReference/${randomUUID()}`)],
    [
      "patient B changing A's consent",
      () =>
        request(world.wired.consent)
          .post('/fhir/Consent/$dmp-change')
          .send(blockProfessional(INS_A, PS.careTeam)),
    ],
    ['patient B calling $verify', () => request(world.wired.audit).get('/fhir/AuditEvent/$verify')],
    [
      'a search naming a patient with U+2028',
      () => docs().get('/fhir/DocumentReference?patient.identifier=x%E2%80%A8y&status=current'),
    ],
  ])('%s is in the audit trail, refused', async (_, send) => {
    const requestId = randomUUID();
    const res = await send()
      .set('Authorization', `Bearer ${await token(claims.patient(INS_B))}`)
      .set('X-Request-Id', requestId);
    expect(res.status).toBeGreaterThanOrEqual(400);
    const events = await trail(requestId);
    expect(events.map((e) => e.outcome)).toContain('4');
  });

  it('a read by a doctor whose name has a no-break space is recorded (made valid at the source)', async () => {
    const requestId = randomUUID();
    const doctor = await token({
      ...claims.practitioner(PS.careTeam, { attestation: 'care_team' }),
      extensions: {
        ihe_iua: {
          subject_name: 'Dr\u00a0House\u2028',
          subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
          national_provider_identifier: PS.careTeam,
        },
        fr_dmp: { actor_kind: 'practitioner', attestation: 'care_team' },
      },
    });
    await docs()
      .get(`/fhir/Binary/${world.documents.plain.binaryId}`)
      .set('Authorization', `Bearer ${doctor}`)
      .set('X-Request-Id', requestId)
      .expect(200);
    const events = await trail(requestId);
    expect(events.map((e) => [e.outcome, e.agent.find((a) => a.requestor)?.name])).toEqual([
      ['0', 'Dr House '],
    ]);
  });
});

describe('finding 8: hostile input is a 4xx with its code, never a 5xx', () => {
  const deep = (levels: number) =>
    `${'{"url":"u","extension":['.repeat(levels)}{"url":"u","valueString":"x"}${']}'.repeat(levels)}`;

  it.each([
    [
      'PATCH with a label nested 1,500 deep',
      () =>
        docs()
          .patch(`/fhir/DocumentReference/${world.documents.plain.id}`)
          .set('Content-Type', 'application/json-patch+json')
          .send(`[{"op":"add","path":"/securityLabel/-","value":${deep(1500)}}]`),
      'DMP-HTTP-JSON-TOO-DEEP',
    ],
    [
      'ITI-105 nested 10,000 deep',
      () =>
        docs()
          .post('/fhir/DocumentReference')
          .set('Content-Type', 'application/fhir+json')
          .send(`{"resourceType":"DocumentReference","extension":[${deep(10_000)}]}`),
      'DMP-HTTP-JSON-TOO-DEEP',
    ],
    [
      '500 OR values',
      () =>
        docs().get(
          `/fhir/DocumentReference?patient.identifier=${A}&status=current&type=${Array.from({ length: 500 }, (_, i) => `t${i}`).join(',')}`,
        ),
      'DMP-SEARCH-TOO-MANY-VALUES',
    ],
    [
      '1,000 repeated parameters',
      () =>
        docs().get(
          `/fhir/DocumentReference?patient.identifier=${A}&status=current&${'type=x&'.repeat(1000)}`,
        ),
      'DMP-SEARCH-TOO-MANY-PARAMETERS',
    ],
    [
      'patient.identifier=%',
      () => docs().get('/fhir/DocumentReference?patient.identifier=%&status=current'),
      'DMP-INS-INVALID',
    ],
  ])('%s', async (_, send, code) => {
    const res = await send().set('Authorization', `Bearer ${await careTeam()}`);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].details.coding[0].code).toBe(code);
  });

  it('a PATCH storing a label nested deeper than a Coding is refused (422), the document unchanged', async () => {
    const before = await stored(world.documents.plain.id);
    const res = await jsonPatch(world.documents.plain.id, await token(claims.patient(INS_A)), [
      {
        op: 'add',
        path: '/securityLabel/-',
        value: { coding: [{ system: VISIBILITY, code: { nested: { deeper: 1 } } }] },
      },
    ]);
    expect(res.status).toBe(422);
    expect(await stored(world.documents.plain.id)).toEqual(before);
  });

  it('a token valid for ten years is refused (401 DMP-AUTH-TOKEN-TOO-LONG-LIVED) where the runtime limit is set', async () => {
    const { createTokenVerifier } = await import('@dmp/auth');
    const verifier = createTokenVerifier({
      jwks: world.wired.issuer.jwks,
      issuers: [world.wired.issuer.issuer],
      audience: 'urn:dmp:services',
      maxTokenLifetimeSeconds: 3600,
    });
    const longLived = await world.wired.issuer.sign(claims.patient(INS_A), {
      ttlSeconds: 10 * 365 * 86_400,
    });
    await expect(verifier.verify(`Bearer ${longLived}`)).rejects.toMatchObject({
      status: 401,
      code: 'DMP-AUTH-TOKEN-TOO-LONG-LIVED',
    });
  });
});

describe('finding 9: professionals find their own actions; ids are not an oracle', () => {
  it('a doctor finds their own read in ITI-81', async () => {
    const requestId = randomUUID();
    const doctor = await careTeam();
    await docs()
      .get(`/fhir/DocumentReference/${world.documents.plain.id}`)
      .set('Authorization', `Bearer ${doctor}`)
      .set('X-Request-Id', requestId)
      .expect(200);
    await world.drained();
    const res = await request(world.wired.audit)
      .get(`/fhir/AuditEvent?entity-id=${requestId}`)
      .set('Authorization', `Bearer ${doctor}`)
      .expect(200);
    expect((res.body as Bundle).entry).toHaveLength(1);
  });

  it('a document one may not see and an id that does not exist answer alike', async () => {
    const blocked = await token(claims.practitioner(PS.blocked, { attestation: 'care_team' }));
    const known = await docs()
      .get(`/fhir/DocumentReference/${world.documents.plain.id}`)
      .set('Authorization', `Bearer ${blocked}`)
      .expect(404);
    const unknown = await docs()
      .get('/fhir/DocumentReference/no-such-document')
      .set('Authorization', `Bearer ${blocked}`)
      .expect(404);
    const shape = (res: request.Response) => ({
      code: res.body.issue[0].details.coding[0].code,
      text: String(res.body.issue[0].diagnostics).replace(
        /DocumentReference\/\S+/,
        'DocumentReference/…',
      ),
    });
    expect(shape(known)).toEqual(shape(unknown));
  });
});
