import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The product as its users run it: the three built services (and the console) as separate processes (through
 * `scripts/start-all.js`, or one by one for crash tests) on the embedded storage in a temp
 * `DATA_DIR`, free ports, and tokens minted by the token CLI from the same dev issuer.
 * Needs the build that `npm test` makes first (`tsc -b`).
 */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
export type ServiceName = 'documents' | 'consent' | 'audit';
const SERVICES: readonly ServiceName[] = ['documents', 'consent', 'audit'];
const TOKEN_CLI = path.join(ROOT, 'shared', 'auth', 'dist', 'cli', 'token-cli.js');

/** The Node flags of every service process (`scripts/service-node-args.js`). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of the repository
export const { SERVICE_NODE_ARGS } = require(
  path.join(ROOT, 'scripts', 'service-node-args.js'),
) as {
  SERVICE_NODE_ARGS: readonly string[];
};

const mainOf = (service: ServiceName) =>
  path.join(ROOT, 'services', service, 'dist', 'src', 'main.js');

/** Whether `tsc -b` has built the three services (the e2e tests skip visibly otherwise). */
export function productIsBuilt(): boolean {
  return SERVICES.every((service) => existsSync(mainOf(service)));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function waitForOutput(
  child: ChildProcess,
  text: string,
  timeoutMs: number,
): Promise<string> {
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

/** Resolves with the exit code (null after a signal) once the process ended. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export interface Environment {
  dataDir: string;
  /** Port and root URL of the web console (`services/console`). */
  consolePort: number;
  consoleUrl: string;
  ports: Record<ServiceName, number>;
  /** Root URL (no `/fhir`) of each service. */
  urls: Record<ServiceName, string>;
  /** Environment of the services: data dir, ports and the wiring `npm start` sets. */
  env: NodeJS.ProcessEnv;
  /** A token from the CLI (`npm run -s token -- ...args`) signed by this data dir's dev issuer. */
  token(...args: string[]): string;
  /** Removes the data directory. */
  remove(): void;
}

/** A fresh data directory and free ports; nothing started yet. */
export async function prepareEnvironment(extra: NodeJS.ProcessEnv = {}): Promise<Environment> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dmp-e2e-'));
  const ports = { documents: 0, consent: 0, audit: 0 };
  for (const service of SERVICES) ports[service] = await freePort();
  const consolePort = await freePort();
  const urls = {
    documents: `http://127.0.0.1:${ports.documents}`,
    consent: `http://127.0.0.1:${ports.consent}`,
    audit: `http://127.0.0.1:${ports.audit}`,
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DOCUMENTS_PORT: String(ports.documents),
    CONSENT_PORT: String(ports.consent),
    AUDIT_PORT: String(ports.audit),
    CONSOLE_PORT: String(consolePort),
    ...extra,
  };
  return {
    dataDir,
    consolePort,
    consoleUrl: `http://127.0.0.1:${consolePort}`,
    ports,
    urls,
    env,
    token: (...args) =>
      execFileSync(process.execPath, [TOKEN_CLI, ...args], {
        env: { ...process.env, DATA_DIR: dataDir },
      })
        .toString()
        .trim(),
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export interface RunningProduct extends Environment {
  /** The `scripts/start-all.js` process. */
  child: ChildProcess;
  /** What it printed until the three services were healthy. */
  banner: string;
  /** Everything written to its stderr so far (start-all's own log lines, the services' errors). */
  stderr(): string;
  /** Ctrl-C, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** `npm start` for real: `scripts/start-all.js` in a fresh environment, once it printed its banner. */
export async function startProduct(extra: NodeJS.ProcessEnv = {}): Promise<RunningProduct> {
  const environment = await prepareEnvironment(extra);
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start-all.js')], {
    cwd: ROOT,
    env: environment.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const banner = await waitForOutput(child, 'Ctrl-C stops everything', 30_000);
  return {
    ...environment,
    child,
    banner,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited(child);
    },
    remove: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      environment.remove();
    },
  };
}

/**
 * One service as its own process with the wiring `npm start` gives it, once `/healthz`
 * answers. For tests that kill and restart one service on the same data directory, and for the
 * profile bench (`nodeArgs`: `--cpu-prof`, which `NODE_OPTIONS` may not carry).
 */
export async function startService(
  environment: Environment,
  service: ServiceName,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, ...nodeArgs, mainOf(service)], {
    cwd: ROOT,
    env: {
      ...environment.env,
      DOCUMENTS_CONSENT_URL: environment.urls.consent,
      AUDIT_URL: environment.urls.audit,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${environment.urls[service]}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${service} did not become healthy`);
}
