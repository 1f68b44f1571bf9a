import { describeBuilt } from './describe-built';
import Client from 'fhir-kit-client';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { demoIns, DOCTORS } from '../seed/demo-data';
import { failureOf, fhirClient, findDocuments } from './actors';
import { exited, ROOT, startProduct, waitForOutput, type RunningProduct } from './running-product';

/**
 * The README's start command, for real: `scripts/start-all.js` runs the three built services
 * on the embedded storage; the token CLI mints a token from the dev issuer they created.
 */

describeBuilt('npm start (scripts/start-all.js)', () => {
  let product: RunningProduct;
  let ports: RunningProduct['ports'];

  beforeAll(async () => {
    product = await startProduct();
    ports = product.ports;
  }, 40_000);

  afterAll(() => product.remove());

  it('prints the three FHIR base URLs and how to get a token', () => {
    for (const port of Object.values(ports))
      expect(product.banner).toContain(`http://127.0.0.1:${port}/fhir`);
    expect(product.banner).toContain('npm run -s token');
  });

  it('serves each CapabilityStatement to a FHIR client, and 401 without a token elsewhere', async () => {
    for (const port of Object.values(ports)) {
      const client = new Client({ baseUrl: `http://127.0.0.1:${port}/fhir` });
      const capability = (await client.capabilityStatement()) as {
        resourceType: string;
        fhirVersion: string;
      };
      expect(capability).toMatchObject({
        resourceType: 'CapabilityStatement',
        fhirVersion: '4.0.1',
      });

      const denied = await fetch(`http://127.0.0.1:${port}/fhir/DocumentReference`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('content-type')).toContain('application/fhir+json');
    }
  });

  it('serves each OpenAPI document without a token, pointing at the service', async () => {
    for (const port of Object.values(ports)) {
      const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        openapi: '3.1.0',
        servers: [{ url: `http://127.0.0.1:${port}` }],
      });
    }
  });

  it('accepts a token minted by the token CLI from the same data directory', async () => {
    const token = product.token('--kind', 'system');

    expect(token.split('.')).toHaveLength(3);
    const res = await fetch(`http://127.0.0.1:${ports.audit}/metrics`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('wires documents to consent: a search for a patient without a DMP is refused by consent', async () => {
    const token = product.token(
      '--kind',
      'practitioner',
      '--profession',
      '10',
      '--attest',
      'care_team',
    );

    const res = await fetch(
      `http://127.0.0.1:${ports.documents}/fhir/DocumentReference?patient.identifier=urn:oid:1.2.250.1.213.1.4.8|180017512345660&status=current`,
      { headers: { Authorization: `Bearer ${token}` } },
    );

    expect(res.status).toBe(422);
    expect(await res.text()).toContain('DMP-PATIENT-NO-DMP');
  });

  it('loads the demonstration data (npm run seed) that the walkthrough uses', async () => {
    const seed = spawn(process.execPath, [path.join(ROOT, 'tests', 'dist', 'seed', 'seed.js')], {
      env: { ...product.env, SEED_PATIENTS: '2', SEED_DOCUMENTS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = await waitForOutput(seed, 'Seeded 2 patients', 30_000);
    await expect(exited(seed)).resolves.toBe(0);
    expect(output).toContain('and 4 documents');

    const careTeam = fhirClient(product.urls.documents, product.token());
    await expect(findDocuments(careTeam, demoIns(0))).resolves.toHaveLength(2);
    const blocked = fhirClient(product.urls.documents, product.token('--sub', DOCTORS.blocked));
    expect((await failureOf(findDocuments(blocked, demoIns(0)))).status).toBe(403);
  }, 45_000); // the seed alone may take its 30 s on a loaded machine

  it('stops every service cleanly on Ctrl-C', async () => {
    await expect(product.stop()).resolves.toBe(0);

    await expect(fetch(`http://127.0.0.1:${ports.documents}/healthz`)).rejects.toThrow();
  });
});
