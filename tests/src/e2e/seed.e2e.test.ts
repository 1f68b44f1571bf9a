import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Bundle, Consent } from 'fhir/r4';
import { DMP_CONSENT_IDENTIFIER } from '../seed/demo-choices';
import { demoIns, DOCTORS } from '../seed/demo-data';
import { failureOf, fhirClient, findDocuments } from './actors';
import { describeBuilt } from './describe-built';
import { freePort, ROOT, startProduct, type RunningProduct } from './running-product';

/**
 * `npm run seed` against the product as `npm start` runs it: it stops with the reason when a
 * service cannot be reached, having written nothing, and a second run adds nothing.
 */

const SEED = path.join(ROOT, 'tests', 'dist', 'seed', 'seed.js');
const PATIENTS = [demoIns(0), demoIns(1), demoIns(2)];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describeBuilt('npm run seed (tests/dist/seed/seed.js)', () => {
  let product: RunningProduct;

  beforeAll(async () => {
    product = await startProduct();
  }, 40_000);

  afterAll(async () => {
    await product.stop();
    product.remove();
  });

  function seed(extra: NodeJS.ProcessEnv = {}, ...args: string[]): Promise<Run> {
    const child = spawn(process.execPath, [SEED, ...args], {
      env: { ...product.env, SEED_PATIENTS: '3', SEED_DOCUMENTS: '3', ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    return new Promise((resolve) => child.once('close', (code) => resolve({ ...run, code })));
  }

  const patientToken = (ins: string) =>
    product.token('--kind', 'patient', '--sub', ins, '--scope', 'patient/*.cruds');

  async function dmpConsent(ins: string): Promise<Consent | undefined> {
    const res = await fetch(
      `${product.urls.consent}/fhir/Consent?identifier=${encodeURIComponent(`${DMP_CONSENT_IDENTIFIER}|${ins}`)}`,
      { headers: { Authorization: `Bearer ${patientToken(ins)}` } },
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as Bundle).entry?.[0]?.resource as Consent | undefined;
  }

  /** What the seed leaves: DMPs, the first patient's Consent, each patient's documents. */
  async function counts() {
    // Listing every patient's DMP state is an auditor's (software gets one named patient).
    const auditor = product.token('--kind', 'auditor', '--scope', 'system/Patient.rs');
    const patients = await fetch(`${product.urls.consent}/fhir/Patient?_summary=count`, {
      headers: { Authorization: `Bearer ${auditor}` },
    });
    const consent = await dmpConsent(PATIENTS[0] ?? '');
    const documents: Record<string, number> = {};
    for (const ins of PATIENTS) {
      const own = fhirClient(product.urls.documents, patientToken(ins));
      documents[ins] = (await findDocuments(own, ins)).length;
    }
    return {
      dmps: ((await patients.json()) as Bundle).total,
      consentVersion: consent?.meta?.versionId,
      choices: consent?.provision?.provision?.length,
      documents,
    };
  }

  it('stops with exit code 1 and why when consent cannot be reached, having opened no DMP', async () => {
    const closed = await freePort();

    const run = await seed({ CONSENT_PORT: String(closed) });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `seed failed: the consent service is not reachable at http://127.0.0.1:${closed}`,
    );
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.stderr).toContain('CONSENT_PORT');
    expect(run.stdout).not.toContain('Seeded');
    const careTeam = fhirClient(product.urls.documents, product.token());
    const refused = await failureOf(findDocuments(careTeam, demoIns(0)));
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('DMP-PATIENT-NO-DMP');
  }, 30_000);

  it('gives the same counts when run twice: the second run adds nothing', async () => {
    const first = await seed();
    expect(first).toMatchObject({ code: 0, stderr: expect.not.stringContaining('seed failed') });
    expect(first.stdout).toContain('Seeded 3 patients with an open DMP and 9 documents');
    expect(first.stdout).toContain('(9 added now, 0 already there)');
    const afterFirst = await counts();

    const second = await seed();

    expect(second.code).toBe(0);
    expect(second.stdout).toContain('(0 added now, 9 already there)');
    expect(await counts()).toEqual(afterFirst);
    expect(afterFirst).toEqual({
      dmps: 3,
      // Version 1 is the Consent opening the DMP writes; version 2 holds the two choices.
      consentVersion: '2',
      choices: 2,
      documents: Object.fromEntries(PATIENTS.map((ins) => [ins, 3])),
    });
    const blocked = fhirClient(product.urls.documents, product.token('--sub', DOCTORS.blocked));
    expect((await failureOf(findDocuments(blocked, demoIns(0)))).status).toBe(403);
  }, 90_000);

  it('prints a bundle with new identifiers for the walkthrough, accepted after the seed', async () => {
    const printed = await seed({}, '--bundle', demoIns(0));
    expect(printed.code).toBe(0);
    const hospital = product.token('--kind', 'system', '--sub', 'chu-demo-dpi');
    const own = fhirClient(product.urls.documents, patientToken(demoIns(0)));
    const before = (await findDocuments(own, demoIns(0))).length;

    const res = await fetch(`${product.urls.documents}/fhir`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${hospital}`,
        'Content-Type': 'application/fhir+json',
      },
      body: printed.stdout,
    });

    expect(res.status).toBe(200);
    expect(before).toBeGreaterThan(0);
    expect(await findDocuments(own, demoIns(0))).toHaveLength(before + 1);
  }, 30_000);
});
