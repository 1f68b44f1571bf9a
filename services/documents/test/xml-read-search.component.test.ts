import request from 'supertest';
import type { Bundle } from 'fhir/r4';
import { fhirXmlToJson, jsonToFhirXml } from '@dmp/http';
import { buildProvideBundle, INS_SYSTEM, makeIns } from './builders';
import { openHarness, readFixture, uniquify, type Harness } from './harness';

/**
 * The Document Responder in FHIR XML: ITI-66/67 searchsets, read, vread, history, the ITI-68
 * FHIR Binary, the CapabilityStatement and OperationOutcomes, each read with the FHIR XML parser
 * and compared with the JSON answer to the same request.
 */
let h: Harness;
const ins = makeIns(4242);
const patient = `patient.identifier=${encodeURIComponent(`${INS_SYSTEM}|${ins}`)}`;
let documentId = '';
let listId = '';
let binaryId = '';

const FHIR_XML = 'application/fhir+xml; charset=utf-8';

beforeAll(async () => {
  h = await openHarness();
  for (const content of ['first letter', 'second letter']) {
    const res = await request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${h.systemToken}`)
      .set('Content-Type', 'application/fhir+xml')
      .send(
        jsonToFhirXml(
          buildProvideBundle({ ins, content: Buffer.from(content), contentType: 'text/plain' }),
        ),
      )
      .expect(200);
    const locations = (res.body as Bundle).entry?.map((e) => e.response?.location ?? '') ?? [];
    const idOf = (type: string) =>
      locations.find((l) => l.startsWith(`${type}/`))?.split('/')[1] ?? '';
    documentId = idOf('DocumentReference');
    listId = idOf('List');
    binaryId = idOf('Binary');
  }
  // A repository to open and two submissions: more than the default 20 s on a loaded machine.
}, 60_000);
afterAll(() => h.close());

// A fixed Host: absolute URLs in answers name it, and every request reaches another port.
const HOST = 'dmp.example:8081';
const get = (url: string, accept: string) =>
  request(h.app)
    .get(url)
    .set('Host', HOST)
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Accept', accept);

/** Fields that differ between two answers to the same request (ids and times of the answer). */
function stable(resource: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
  if (copy.resourceType === 'Bundle') {
    delete copy.id;
    delete copy.meta;
  }
  if (copy.resourceType === 'CapabilityStatement') delete copy.date;
  return copy;
}

async function twins(url: string, status = 200) {
  const json = await get(url, 'application/fhir+json').expect(status);
  const xml = await get(url, 'application/fhir+xml').expect(status);
  expect(xml.headers['content-type']).toBe(FHIR_XML);
  return { json: json.body as unknown, xml: fhirXmlToJson(xml.text, 128) };
}

describe('answers in FHIR XML equal the JSON answers', () => {
  it.each([
    ['ITI-67 search', () => `/fhir/DocumentReference?${patient}&status=current`],
    [
      'ITI-67 search with _total',
      () => `/fhir/DocumentReference?${patient}&status=current&_total=accurate`,
    ],
    ['ITI-66 search', () => `/fhir/List?${patient}&status=current&code=submissionset`],
    ['DocumentReference read', () => `/fhir/DocumentReference/${documentId}`],
    ['DocumentReference vread', () => `/fhir/DocumentReference/${documentId}/_history/1`],
    ['DocumentReference history', () => `/fhir/DocumentReference/${documentId}/_history`],
    ['List read', () => `/fhir/List/${listId}`],
    ['List history', () => `/fhir/List/${listId}/_history`],
    ['CapabilityStatement', () => '/fhir/metadata'],
  ])('%s', async (_name, url) => {
    const { json, xml } = await twins(url());

    expect(stable(xml)).toEqual(stable(json));
  });

  it('ITI-67 by POST _search, and _format=xml', async () => {
    const post = (accept: string) =>
      request(h.app)
        .post('/fhir/DocumentReference/_search')
        .set('Host', HOST)
        .set('Authorization', `Bearer ${h.systemToken}`)
        .set('Accept', accept)
        .type('form')
        .send(`${patient}&status=current`)
        .expect(200);
    const json = await post('application/fhir+json');
    const xml = await post('application/fhir+xml');
    const byFormat = await request(h.app)
      .get(`/fhir/DocumentReference?${patient}&status=current&_format=xml`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);

    const searchset = stable(fhirXmlToJson(xml.text, 128)) as Bundle;
    expect(searchset).toEqual(stable(json.body));
    expect(searchset.entry).toHaveLength(2);
    expect(byFormat.headers['content-type']).toBe(FHIR_XML);
    expect(fhirXmlToJson(byFormat.text, 128)).toMatchObject({ type: 'searchset' });
  });

  it('ITI-68: the FHIR Binary in XML on Accept application/fhir+xml, raw bytes otherwise', async () => {
    const json = await get(`/fhir/Binary/${binaryId}`, 'application/fhir+json').expect(200);
    const xml = await get(`/fhir/Binary/${binaryId}`, 'application/fhir+xml').expect(200);
    const byFormat = await request(h.app)
      .get(`/fhir/Binary/${binaryId}?_format=xml`)
      .set('Host', HOST)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .expect(200);
    const raw = await get(`/fhir/Binary/${binaryId}`, '*/*').expect(200);

    expect(xml.headers['content-type']).toBe(FHIR_XML);
    expect(fhirXmlToJson(xml.text, 128)).toEqual(JSON.parse(json.text));
    expect(fhirXmlToJson(byFormat.text, 128)).toEqual(JSON.parse(json.text));
    expect(raw.headers['content-type']).toBe('text/plain');
    expect(raw.text).toBe('second letter');
  });

  it('an OperationOutcome in XML for a refused search', async () => {
    const { json, xml } = await twins('/fhir/DocumentReference?status=current', 400);

    expect(xml).toEqual(json);
    expect(xml).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('an OperationOutcome in XML for an unknown document', async () => {
    const { json, xml } = await twins('/fhir/DocumentReference/does-not-exist', 404);

    expect(xml).toEqual(json);
  });
});

describe('ITI-65 bodies that are not well-formed FHIR XML', () => {
  const post = (body: string, accept?: string) => {
    const req = request(h.app)
      .post('/fhir')
      .set('Authorization', `Bearer ${h.systemToken}`)
      .set('Content-Type', 'application/fhir+xml');
    return (accept === undefined ? req : req.set('Accept', accept)).send(body);
  };
  const codeOf = (outcome: unknown) =>
    (outcome as { issue: { details: { coding: { code: string }[] } }[] }).issue[0]?.details
      .coding[0]?.code;
  const bundle = () =>
    jsonToFhirXml(
      uniquify(readFixture('mhd-4.2.3', 'Bundle-ex-minimalProvideDocumentBundleSimple.json')),
    );

  it('400 DMP-HTTP-MALFORMED-XML in JSON by default, in XML when asked, never 500', async () => {
    const truncated = bundle().slice(0, -20);

    const asJson = await post(truncated).expect(400);
    const asXml = await post(truncated, 'application/fhir+xml').expect(400);

    expect(codeOf(asJson.body)).toBe('DMP-HTTP-MALFORMED-XML');
    expect(asXml.headers['content-type']).toBe(FHIR_XML);
    expect(codeOf(fhirXmlToJson(asXml.text, 128))).toBe('DMP-HTTP-MALFORMED-XML');
  });

  it('400 for an element MHD does not know, naming it', async () => {
    const res = await post(
      bundle().replace(
        '<type value="transaction"/>',
        '<type value="transaction"/><colour value="red"/>',
      ),
    ).expect(400);

    expect(res.body.issue[0].expression).toEqual(['Bundle.colour']);
  });

  it('400 for entity expansion and external entities, nothing stored', async () => {
    const before = await get(
      `/fhir/DocumentReference?${patient}&status=current`,
      'application/fhir+json',
    );
    const laughs = `<!DOCTYPE Bundle [<!ENTITY a "${'a'.repeat(100)}">${Array.from(
      { length: 8 },
      (_, i) => `<!ENTITY a${String(i)} "${`&a${i === 0 ? '' : String(i - 1)};`.repeat(10)}">`,
    ).join(
      '',
    )}]>${bundle().replace('<?xml version="1.0" encoding="UTF-8"?>', '').replace('value="transaction"', 'value="&a7;"')}`;
    const external = `<!DOCTYPE Bundle [<!ENTITY x SYSTEM "file:///etc/hostname">]>${bundle()
      .replace('<?xml version="1.0" encoding="UTF-8"?>', '')
      .replace('value="transaction"', 'value="&x;"')}`;

    for (const body of [laughs, external]) {
      const res = await post(body).expect(400);
      expect(codeOf(res.body)).toBe('DMP-HTTP-MALFORMED-XML');
    }
    const after = await get(
      `/fhir/DocumentReference?${patient}&status=current`,
      'application/fhir+json',
    );
    expect(after.body.total).toBe(before.body.total);
  });
});
