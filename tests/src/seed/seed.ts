import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Bundle, Consent } from 'fhir/r4';
import { changesToApply, DMP_CONSENT_IDENTIFIER } from './demo-choices';
import {
  demoBundle,
  demoIns,
  DOCTORS,
  FIRST_PATIENT_CHANGES,
  INS_SYSTEM,
  readDemoSources,
  stableNaming,
  type ConsentChange,
} from './demo-data';
import { assertReady, describeFailure, expectOk, outcomeCodes, send } from './seed-http';

/**
 * `npm run seed`: loads demonstration patients (open DMP, choices) and documents into the
 * services `npm start` runs (same `HOST`, `*_PORT` and `DATA_DIR`), with a progress bar.
 * `SEED_PATIENTS` (default 5) and `SEED_DOCUMENTS` (per patient, default 4) scale it.
 * `--bundle [INS]` only prints one demonstration ITI-65 bundle (for the README's hospital push).
 *
 * Fails loudly: any problem stops it with exit code 1 and the reason on stderr. Everything that
 * can fail without writing (settings, fixtures, bundles, tokens, both services ready) is checked
 * before the first write. Then each step converges and can be run again: opening a DMP that is
 * open changes nothing, only the choices the patient's Consent does not hold yet are sent, and a
 * document whose masterIdentifier (fixed per patient and document number) is already stored is
 * counted as there. So a second run adds nothing, and a run stopped half-way is completed by
 * the next one.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const env = process.env;
const host = env.HOST && env.HOST !== '0.0.0.0' && env.HOST !== '::' ? env.HOST : '127.0.0.1';
const url = (portVar: string, port: number) => `http://${host}:${env[portVar] ?? port}`;
const DOCUMENTS = url('DOCUMENTS_PORT', 8081);
const CONSENT = url('CONSENT_PORT', 8082);

function count(name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return value;
}

/** A token from the dev issuer under `DATA_DIR`, as `npm run -s token` mints it. */
function token(...args: string[]): string {
  return execFileSync(process.execPath, [
    path.join(ROOT, 'shared/auth/dist/cli/token-cli.js'),
    ...args,
  ])
    .toString()
    .trim();
}

function progress(label: string, total: number): (done: number) => void {
  const width = 30;
  return (done) => {
    const filled = Math.round((done / total) * width);
    const line = `${label.padEnd(11)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (done === total) process.stderr.write(`${line}\n`);
  };
}

const patientParameter = (ins: string) => ({
  name: 'patient',
  valueIdentifier: { system: INS_SYSTEM, value: ins },
});

const changePart = (change: ConsentChange) => ({
  name: 'change',
  part: [
    { name: 'type', valueCode: change.type },
    { name: 'professional', valueString: change.professional },
  ],
});

/** Opens the patient's DMP (200 when it already is) and adds the choices it does not hold yet. */
async function seedPatient(ins: string, changes: readonly ConsentChange[]): Promise<void> {
  const patient = token('--kind', 'patient', '--sub', ins, '--scope', 'patient/*.cruds');
  const open = `${CONSENT}/fhir/Patient/$dmp-open`;
  expectOk(
    `opening the DMP of ${ins} (POST ${open})`,
    await send('POST', open, patient, {
      resourceType: 'Parameters',
      parameter: [patientParameter(ins)],
    }),
  );
  if (changes.length === 0) return;
  const search = `${CONSENT}/fhir/Consent?identifier=${encodeURIComponent(`${DMP_CONSENT_IDENTIFIER}|${ins}`)}`;
  const found = expectOk(
    `reading the consent of ${ins} (GET ${search})`,
    await send('GET', search, patient),
  ) as Bundle;
  const missing = changesToApply(found.entry?.[0]?.resource as Consent | undefined, changes);
  if (missing.length === 0) return;
  const change = `${CONSENT}/fhir/Consent/$dmp-change`;
  expectOk(
    `recording the choices of ${ins} (POST ${change})`,
    await send('POST', change, patient, {
      resourceType: 'Parameters',
      parameter: [patientParameter(ins), ...missing.map(changePart)],
    }),
  );
}

/** Submits one document (ITI-65): `true` when stored now, `false` when it was already there. */
async function seedDocument(hospital: string, bundle: Bundle, what: string): Promise<boolean> {
  const answer = await send('POST', `${DOCUMENTS}/fhir`, hospital, bundle);
  const codes = outcomeCodes(answer.body);
  if (
    answer.status === 409 &&
    codes.length > 0 &&
    codes.every((c) => c === 'DMP-MHD-DUPLICATE-UNIQUE-ID')
  ) {
    return false;
  }
  if (answer.status !== 200) {
    throw new Error(describeFailure(`submitting ${what} (POST ${DOCUMENTS}/fhir)`, answer));
  }
  return true;
}

async function main(): Promise<void> {
  const patients = Array.from({ length: count('SEED_PATIENTS', 5) }, (_, i) => demoIns(i));
  const perPatient = count('SEED_DOCUMENTS', 4);
  const sources = readDemoSources();
  const documents = patients.flatMap((ins) =>
    Array.from({ length: perPatient }, (_, n) => ({
      what: `document ${n + 1} of ${ins}`,
      bundle: demoBundle(ins, n, { sources, naming: stableNaming(ins, n) }),
    })),
  );
  await assertReady('documents', DOCUMENTS, 'DOCUMENTS_PORT');
  await assertReady('consent', CONSENT, 'CONSENT_PORT');
  const hospital = token('--kind', 'system', '--sub', 'chu-demo-dpi');

  const showPatients = progress('patients', patients.length);
  for (const [i, ins] of patients.entries()) {
    await seedPatient(ins, i === 0 ? FIRST_PATIENT_CHANGES : []);
    showPatients(i + 1);
  }

  const showDocuments = progress('documents', documents.length);
  let added = 0;
  for (const [i, { what, bundle }] of documents.entries()) {
    if (await seedDocument(hospital, bundle, what)) added += 1;
    showDocuments(i + 1);
  }

  const first = patients[0] ?? '';
  process.stdout.write(
    [
      '',
      `Seeded ${patients.length} patients with an open DMP and ${documents.length} documents ` +
        `(${added} added now, ${documents.length - added} already there).`,
      `  first patient (the token CLI's default): INS ${first}`,
      `  it authorized ${DOCTORS.authorized} and blocked ${DOCTORS.blocked}`,
      `  patients: ${patients.join(' ')}`,
      'Try the README walkthrough ("Try it").',
      '',
    ].join('\n'),
  );
}

if (process.argv[2] === '--bundle') {
  // One ITI-65 bundle for the README's hospital push: `node tests/dist/seed/seed.js --bundle <INS>`.
  // Fresh identifiers: a new submission every time, never one the seed already made.
  const ins = process.argv[3] ?? demoIns(0);
  process.stdout.write(
    `${JSON.stringify(demoBundle(ins, Number(process.argv[4] ?? 0)), null, 2)}\n`,
  );
} else {
  main().catch((error: unknown) => {
    process.stderr.write(
      `\nseed failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
