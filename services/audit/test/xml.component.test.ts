import request from 'supertest';
import { fhirXmlToJson, jsonToFhirXml } from '@dmp/http';
import { auditorToken, dmpEvent, feederToken, openHarness, type Harness } from './harness';

/**
 * The audit service speaks FHIR XML through the shared HTTP kit like the others: ITI-20 in XML
 * (an ATNA feed may send it so), read and search answered in XML equal to JSON.
 */
let h: Harness;
let feeder: string;
let auditor: string;

beforeAll(async () => {
  h = await openHarness('xml');
  feeder = await feederToken(h.issuer);
  auditor = await auditorToken(h.issuer);
});
afterAll(() => h.close());

const HOST = 'audit.example:8083';
const FHIR_XML = 'application/fhir+xml; charset=utf-8';

describe('FHIR XML on the audit service', () => {
  it('records an AuditEvent sent in XML as its JSON twin, and answers both in XML', async () => {
    const event = dmpEvent({ ins: '185057800608436', idNat: '810000000042', id: 'xml-event-1' });

    const created = await request(h.app)
      .post('/fhir/AuditEvent')
      .set('Authorization', `Bearer ${feeder}`)
      .set('Content-Type', 'application/fhir+xml')
      .set('Accept', 'application/fhir+xml')
      .send(jsonToFhirXml(event))
      .expect(201);
    const read = (accept: string) =>
      request(h.app)
        .get('/fhir/AuditEvent/xml-event-1')
        .set('Host', HOST)
        .set('Authorization', `Bearer ${auditor}`)
        .set('Accept', accept)
        .expect(200);
    const asJson = await read('application/fhir+json');
    const asXml = await read('application/fhir+xml');

    expect(created.headers['content-type']).toBe(FHIR_XML);
    expect(asJson.body).toMatchObject({ ...event, meta: expect.any(Object) as unknown });
    expect(fhirXmlToJson(asXml.text, 128)).toEqual(asJson.body);
  });

  it('answers a search in XML equal to JSON, and a refusal in XML', async () => {
    const search = (accept: string, token = auditor) =>
      request(h.app)
        .get('/fhir/AuditEvent?agent.identifier=810000000042&_count=5')
        .set('Host', HOST)
        .set('Authorization', `Bearer ${token}`)
        .set('Accept', accept);
    const asJson = await search('application/fhir+json').expect(200);
    const asXml = await search('application/fhir+xml').expect(200);
    const refused = await search('application/fhir+xml', feeder);

    const stable = (bundle: Record<string, unknown>) => ({ ...bundle, id: '-', meta: '-' });
    expect(asJson.body.entry).toHaveLength(1);
    expect(stable(fhirXmlToJson(asXml.text, 128))).toEqual(stable(asJson.body));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(fhirXmlToJson(refused.text, 128)).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});
