import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import type { OperationOutcome, Patient } from 'fhir/r4';
import { createTokenVerifier, openDevIssuer } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import { createServiceApp } from './create-app';
import { silentLogger } from './logger';
import { createMetrics } from './metrics';
import type { RouteDefinition } from './route';
import { fhirXmlToJson, jsonToFhirXml } from './xml-format';

const FHIR_XML = 'application/fhir+xml; charset=utf-8';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const seen: unknown[] = [];
const routes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/Patient',
    body: 'resource',
    capability: { resourceType: 'Patient', interaction: 'create' },
    handler: (req) => {
      seen.push(req.body);
      return Promise.resolve({ status: 201, resource: { ...(req.body as Patient), id: 'p1' } });
    },
  },
  {
    method: 'GET',
    path: '/Patient/:id',
    capability: { resourceType: 'Patient', interaction: 'read' },
    handler: (req) => {
      if (req.params.id === 'missing') throw fhirError('DMP-RESOURCE-NOT-FOUND', 'No such Patient');
      if (req.params.id === 'boom') throw new Error('exploded');
      return Promise.resolve({ status: 200, resource: { resourceType: 'Patient', id: 'p1' } });
    },
  },
  {
    method: 'GET',
    path: '/Binary/:id',
    produces: 'any',
    handler: () =>
      Promise.resolve({
        status: 200,
        resource: { resourceType: 'Binary', contentType: 'text/plain', data: 'SGk=' },
      }),
  },
  {
    method: 'PATCH',
    path: '/Patient/:id',
    body: 'patch',
    handler: () => Promise.resolve({ status: 200, resource: { resourceType: 'Patient' } }),
  },
  {
    method: 'POST',
    path: '/access/v1/evaluation',
    root: true,
    body: 'resource',
    handler: () => Promise.resolve({ status: 200, json: { decision: true } }),
  },
];

let dataDir: string;
let app: Express;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-xml-http-'));
  const issuer = await openDevIssuer(dataDir);
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  token = await issuer.sign({ sub: 'sys', extensions: { fr_dmp: { actor_kind: 'system' } } });
  app = createServiceApp({
    capability: { name: 'Test', title: 'Test service', description: 'for tests' },
    routes,
    authenticate: (header) => verifier.verify(header),
    readiness: () => Promise.resolve(),
    logger: silentLogger(),
    metrics: createMetrics('xml-test'),
    bodyLimit: 2048,
    softwareVersion: '9.9.9',
    limits: { jsonDepth: 12 },
  });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const PATIENT: Patient = {
  resourceType: 'Patient',
  text: {
    status: 'generated',
    div: '<div xmlns="http://www.w3.org/1999/xhtml">Ann <b>Lee</b></div>',
  },
  name: [{ family: 'Lee', given: ['Ann'] }],
  gender: 'female',
  birthDate: '1970-01-02',
};

const postXml = (xml: string, contentType = 'application/fhir+xml') =>
  request(app)
    .post('/fhir/Patient')
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', contentType)
    .send(xml);

/** Reads an XML answer with the FHIR XML parser. */
const parsed = (res: request.Response): Record<string, unknown> => {
  expect(res.headers['content-type']).toBe(FHIR_XML);
  return fhirXmlToJson(res.text, 128);
};

function codeOf(outcome: unknown): string | undefined {
  return (outcome as OperationOutcome).issue[0]?.details?.coding?.[0]?.code;
}

describe('a resource body in FHIR XML', () => {
  it.each([
    'application/fhir+xml',
    'application/xml',
    'text/xml',
    'application/fhir+xml; charset=utf-8',
  ])('is read as %s and reaches the handler as its JSON twin', async (type) => {
    seen.length = 0;

    const res = await postXml(jsonToFhirXml(PATIENT), type).expect(201);

    expect(seen).toEqual([PATIENT]);
    expect(res.headers['content-type']).toBe(FHIR_JSON);
    expect(res.body).toEqual({ ...PATIENT, id: 'p1' });
  });

  it('is answered in XML when Accept asks for it', async () => {
    const res = await postXml(jsonToFhirXml(PATIENT))
      .set('Accept', 'application/fhir+xml')
      .expect(201);

    expect(res.headers.vary).toContain('Accept');
    expect(parsed(res)).toEqual({ ...PATIENT, id: 'p1' });
  });

  it('honours Prefer: return=OperationOutcome in XML', async () => {
    const res = await postXml(jsonToFhirXml(PATIENT))
      .set('Accept', 'application/fhir+xml')
      .set('Prefer', 'return=OperationOutcome')
      .expect(201);

    expect(parsed(res)).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it.each([
    ['not XML', '{"resourceType":"Patient"}'],
    ['unclosed', '<Patient xmlns="http://hl7.org/fhir"><gender value="male">'],
    ['an unknown element', '<Patient xmlns="http://hl7.org/fhir"><colour value="x"/></Patient>'],
    ['empty', ''],
  ])('%s → 400 DMP-HTTP-MALFORMED-XML, in JSON by default', async (_name, xml) => {
    const res = await postXml(xml).expect(400);

    expect(res.headers['content-type']).toBe(FHIR_JSON);
    expect(codeOf(res.body)).toBe('DMP-HTTP-MALFORMED-XML');
  });

  it('is refused 400 in XML when the client asked for XML (Accept or _format)', async () => {
    const viaAccept = await postXml('<Patient').set('Accept', 'application/fhir+xml').expect(400);
    const viaFormat = await request(app)
      .post('/fhir/Patient?_format=xml')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+xml')
      .send('<Patient')
      .expect(400);

    expect(codeOf(parsed(viaAccept))).toBe('DMP-HTTP-MALFORMED-XML');
    expect(codeOf(parsed(viaFormat))).toBe('DMP-HTTP-MALFORMED-XML');
  });

  it('refuses the billion laughs and external entities without expanding or fetching', async () => {
    const laughs = [
      '<!DOCTYPE Patient [<!ENTITY a "aaaaaaaaaa">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY a${String(i)} "${'&a;'.repeat(10)}">`),
      ']><Patient xmlns="http://hl7.org/fhir"><gender value="&a8;"/></Patient>',
    ].join('');
    const external =
      '<!DOCTYPE Patient [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
      '<Patient xmlns="http://hl7.org/fhir"><gender value="&x;"/></Patient>';

    for (const xml of [laughs, external]) {
      const res = await postXml(xml).expect(400);
      expect(codeOf(res.body)).toBe('DMP-HTTP-MALFORMED-XML');
      expect(res.text).not.toContain('root:');
    }
  });

  it('obeys the body size limit (413) and the JSON depth limit on the converted resource', async () => {
    const large = jsonToFhirXml({ ...PATIENT, name: [{ text: 'x'.repeat(4000) }] });
    const nested = (depth: number): object =>
      depth === 0 ? { url: 'u', valueString: 'v' } : { url: 'u', extension: [nested(depth - 1)] };
    const deep = jsonToFhirXml({ resourceType: 'Patient', extension: [nested(6)] });

    const tooLarge = await postXml(large).set('Accept', 'application/fhir+xml').expect(413);
    const tooDeep = await postXml(deep).expect(400);

    expect(codeOf(parsed(tooLarge))).toBe('DMP-HTTP-PAYLOAD-TOO-LARGE');
    expect(codeOf(tooDeep.body)).toBe('DMP-HTTP-JSON-TOO-DEEP');
  });

  it('is not taken by PATCH (JSON Patch and FHIRPath Patch stay JSON): 415', async () => {
    const res = await request(app)
      .patch('/fhir/Patient/p1')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+xml')
      .send(jsonToFhirXml({ resourceType: 'Parameters' }))
      .expect(415);

    expect(codeOf(res.body)).toBe('DMP-HTTP-UNSUPPORTED-MEDIA-TYPE');
  });
});

describe('answers in FHIR XML', () => {
  const read = (query: string, accept?: string) => {
    const req = request(app)
      .get(`/fhir/Patient/p1${query}`)
      .set('Authorization', `Bearer ${token}`);
    return accept === undefined ? req : req.set('Accept', accept);
  };

  it.each([
    ['?_format=xml', undefined],
    ['?_format=text/xml', undefined],
    ['?_format=application/xml', undefined],
    ['?_format=application%2Ffhir%2Bxml', undefined],
    ['?_format=application/fhir+xml', undefined],
    ['', 'application/fhir+xml'],
    ['', 'application/xml'],
    ['', 'text/xml'],
    ['', 'application/fhir+json;q=0.5, application/fhir+xml'],
    ['', 'text/html, application/fhir+xml, */*;q=0.1'],
  ])('on %s Accept %s', async (query, accept) => {
    const res = await read(query, accept).expect(200);

    expect(parsed(res)).toEqual({ resourceType: 'Patient', id: 'p1' });
  });

  it.each([
    ['?_format=json', 'application/fhir+xml'],
    ['', undefined],
    ['', '*/*'],
    ['', 'application/fhir+xml;q=0.2, */*'],
    ['', 'application/fhir+xml, application/fhir+json'],
  ])('but JSON on %s Accept %s', async (query, accept) => {
    const res = await read(query, accept).expect(200);

    expect(res.headers['content-type']).toBe(FHIR_JSON);
  });

  it('406 when neither is acceptable, q=0 included', async () => {
    const res = await read('', 'application/fhir+xml;q=0, text/html').expect(406);

    expect(codeOf(res.body)).toBe('DMP-HTTP-NOT-ACCEPTABLE');
  });

  it.each([
    ['a 404', '/fhir/Patient/missing', 'DMP-RESOURCE-NOT-FOUND', 404],
    ['a 500', '/fhir/Patient/boom', 'DMP-INTERNAL', 500],
    ['an unknown endpoint', '/fhir/Nothing', 'DMP-HTTP-ROUTE-NOT-FOUND', 404],
  ])('gives %s as an XML OperationOutcome', async (_name, url, code, status) => {
    const res = await request(app)
      .get(url)
      .set('Authorization', `Bearer ${token}`)
      .set('Accept', 'application/fhir+xml')
      .expect(status);

    expect(codeOf(parsed(res))).toBe(code);
  });

  it('gives a 401 before any route as an XML OperationOutcome', async () => {
    const res = await request(app).get('/fhir/Patient/p1?_format=xml').expect(401);

    expect(codeOf(parsed(res))).toBe('DMP-AUTH-TOKEN-MISSING');
  });

  it('serves the CapabilityStatement in XML, listing both formats', async () => {
    const res = await request(app).get('/fhir/metadata?_format=xml').expect(200);

    expect(parsed(res)).toMatchObject({
      resourceType: 'CapabilityStatement',
      format: ['application/fhir+json', 'json', 'application/fhir+xml', 'xml'],
    });
  });

  it('serves the FHIR resource of a route that negotiates itself in the format asked', async () => {
    const binary = (accept: string) =>
      request(app)
        .get('/fhir/Binary/b1')
        .set('Authorization', `Bearer ${token}`)
        .set('Accept', accept);

    const xml = await binary('application/fhir+xml').expect(200);
    const json = await binary('application/json').expect(200);

    expect(parsed(xml)).toEqual({
      resourceType: 'Binary',
      contentType: 'text/plain',
      data: 'SGk=',
    });
    expect(json.headers['content-type']).toBe(FHIR_JSON);
  });

  it('keeps the non-FHIR root routes JSON only', async () => {
    const res = await request(app)
      .post('/access/v1/evaluation')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept', 'application/xml')
      .set('Content-Type', 'application/json')
      .send('{}')
      .expect(406);

    expect(codeOf(parsed(res))).toBe('DMP-HTTP-NOT-ACCEPTABLE');
  });
});

describe('the non-FHIR root routes', () => {
  it('take no XML body: 415', async () => {
    const res = await request(app)
      .post('/access/v1/evaluation')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+xml')
      .send(jsonToFhirXml({ resourceType: 'Parameters' }))
      .expect(415);

    expect(codeOf(res.body)).toBe('DMP-HTTP-UNSUPPORTED-MEDIA-TYPE');
  });
});
