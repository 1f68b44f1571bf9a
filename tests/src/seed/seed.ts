import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  demoBundle,
  demoIns,
  DOCTORS,
  FIRST_PATIENT_CHANGES,
  INS_SYSTEM,
  type ConsentChange,
} from './demo-data';

/**
 * `npm run seed`: loads demonstration patients (open DMP, choices) and documents into the
 * services `npm start` runs (same `HOST`, `*_PORT` and `DATA_DIR`), with a progress bar.
 * `SEED_PATIENTS` (default 5) and `SEED_DOCUMENTS` (per patient, default 4) scale it.
 * `--bundle [INS]` only prints one demonstration ITI-65 bundle (for the README's hospital push).
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

async function post(base: string, route: string, bearer: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}/fhir${route}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${bearer}`,
      'content-type': 'application/fhir+json',
      accept: 'application/fhir+json',
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${base}/fhir${route} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
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

async function main(): Promise<void> {
  const patients = Array.from({ length: count('SEED_PATIENTS', 5) }, (_, i) => demoIns(i));
  const perPatient = count('SEED_DOCUMENTS', 4);
  try {
    await fetch(`${DOCUMENTS}/healthz`);
  } catch {
    throw new Error(`no documents service at ${DOCUMENTS}: start the services first (npm start)`);
  }
  const hospital = token('--kind', 'system', '--sub', 'chu-demo-dpi');

  const showPatients = progress('patients', patients.length);
  for (const [i, ins] of patients.entries()) {
    const patient = token('--kind', 'patient', '--sub', ins, '--scope', 'patient/*.cruds');
    await post(CONSENT, '/Patient/$dmp-open', patient, {
      resourceType: 'Parameters',
      parameter: [patientParameter(ins)],
    });
    if (i === 0) {
      await post(CONSENT, '/Consent/$dmp-change', patient, {
        resourceType: 'Parameters',
        parameter: [patientParameter(ins), ...FIRST_PATIENT_CHANGES.map(changePart)],
      });
    }
    showPatients(i + 1);
  }

  const total = patients.length * perPatient;
  const showDocuments = progress('documents', total);
  let done = 0;
  for (const ins of patients) {
    for (let n = 0; n < perPatient; n += 1) {
      await post(DOCUMENTS, '', hospital, demoBundle(ins, n));
      showDocuments((done += 1));
    }
  }

  const first = patients[0] ?? '';
  process.stdout.write(
    [
      '',
      `Seeded ${patients.length} patients with an open DMP and ${total} documents.`,
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
