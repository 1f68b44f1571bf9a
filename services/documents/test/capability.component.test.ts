import request from 'supertest';
import type { CapabilityStatement } from 'fhir/r4';
import { openHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

describe('CapabilityStatement of the documents service', () => {
  it('instantiates the MHD Recipient/Responder and PDSm CapabilityStatements and declares what is served', async () => {
    const res = await request(h.app).get('/fhir/metadata').expect(200);
    const statement = res.body as CapabilityStatement;
    const rest = statement.rest?.[0];
    const resource = (type: string) => rest?.resource?.find((r) => r.type === type);

    expect(statement.instantiates).toEqual(
      expect.arrayContaining([
        'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentRecipient',
        'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentResponder',
        'https://interop.esante.gouv.fr/ig/fhir/pdsm/CapabilityStatement/PDSm-GestionnaireDePartageDeDocuments',
      ]),
    );
    expect(rest?.interaction).toEqual([{ code: 'transaction' }]);
    expect(
      resource('DocumentReference')
        ?.interaction?.map((i) => i.code)
        .sort(),
    ).toEqual(['create', 'history-instance', 'patch', 'read', 'search-type', 'vread']);
    expect(
      resource('List')
        ?.interaction?.map((i) => i.code)
        .sort(),
    ).toEqual(['history-instance', 'read', 'search-type', 'vread']);
    expect(resource('Binary')?.interaction).toEqual([{ code: 'read' }]);
    const params = resource('DocumentReference')?.searchParam?.map((p) => p.name) ?? [];
    for (const name of [
      'patient',
      'status',
      'identifier',
      'creation',
      'period',
      'security-label',
      'isArchived',
      'period-start',
      'period-end',
      'relatesto',
    ]) {
      expect(params).toContain(name);
    }
    expect(resource('List')?.searchParam?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['code', 'designationType', 'sourceId']),
    );
    expect(resource('DocumentReference')?.supportedProfile).toContain(
      'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-document-reference',
    );
  });
});
