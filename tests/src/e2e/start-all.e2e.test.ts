import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Client from 'fhir-kit-client';

/**
 * The README's start command, for real: `scripts/start-all.js` runs the three built services
 * on the embedded storage; the token CLI mints a token from the dev issuer they created.
 * Needs the build that `npm test` makes first (`tsc -b`).
 */
const root = path.resolve(__dirname, '..', '..', '..');
const built = ['documents', 'consent', 'audit'].every((service) =>
  existsSync(path.join(root, 'services', service, 'dist', 'src', 'main.js')),
);
const describeBuilt = built ? describe : describe.skip;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before "${text}":\n${output}`));
    });
  });
}

describeBuilt('npm start (scripts/start-all.js)', () => {
  let dataDir: string;
  let child: ChildProcess;
  let banner: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-start-'));
    for (const service of ['DOCUMENTS', 'CONSENT', 'AUDIT']) ports[service] = await freePort();
    child = spawn(process.execPath, [path.join(root, 'scripts', 'start-all.js')], {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        DOCUMENTS_PORT: String(ports.DOCUMENTS),
        CONSENT_PORT: String(ports.CONSENT),
        AUDIT_PORT: String(ports.AUDIT),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    banner = await waitForOutput(child, 'Ctrl-C stops everything', 30_000);
  }, 40_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the three FHIR base URLs and how to get a token', () => {
    for (const port of Object.values(ports))
      expect(banner).toContain(`http://127.0.0.1:${port}/fhir`);
    expect(banner).toContain('npm run -s token');
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

  it('accepts a token minted by the token CLI from the same data directory', async () => {
    const token = execFileSync(
      process.execPath,
      [path.join(root, 'shared', 'auth', 'dist', 'cli', 'token-cli.js'), '--kind', 'system'],
      {
        env: { ...process.env, DATA_DIR: dataDir },
      },
    )
      .toString()
      .trim();

    expect(token.split('.')).toHaveLength(3);
    const res = await fetch(`http://127.0.0.1:${ports.AUDIT}/metrics`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('wires documents to consent: a search for a patient without a DMP is refused by consent', async () => {
    const token = execFileSync(
      process.execPath,
      [
        path.join(root, 'shared', 'auth', 'dist', 'cli', 'token-cli.js'),
        ...['--kind', 'practitioner', '--profession', '10', '--attest', 'care_team'],
      ],
      { env: { ...process.env, DATA_DIR: dataDir } },
    )
      .toString()
      .trim();

    const res = await fetch(
      `http://127.0.0.1:${ports.DOCUMENTS}/fhir/DocumentReference?patient.identifier=urn:oid:1.2.250.1.213.1.4.8|180017512345660&status=current`,
      { headers: { Authorization: `Bearer ${token}` } },
    );

    expect(res.status).toBe(422);
    expect(await res.text()).toContain('DMP-PATIENT-NO-DMP');
  });

  it('stops every service cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );

    child.kill('SIGINT');

    await expect(exited).resolves.toBe(0);
    await expect(fetch(`http://127.0.0.1:${ports.DOCUMENTS}/healthz`)).rejects.toThrow();
  });
});
