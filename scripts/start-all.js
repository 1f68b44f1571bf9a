#!/usr/bin/env node
// @ts-check
/**
 * `npm start`: runs the three services and the web console as separate processes on the embedded
 * storage, waits until each answers /healthz, prints their URLs and how to get a token, and stops
 * them all on Ctrl-C. A service that stops on its own is restarted with backoff; one that keeps
 * crashing at start stops everything (exit code 1). See `supervise.js`.
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');
const { SERVICE_NODE_ARGS } = require('./service-node-args');
const { supervise } = require('./supervise');

const root = path.resolve(__dirname, '..');
const services = [
  { name: 'documents', portVar: 'DOCUMENTS_PORT', port: 8081 },
  { name: 'consent', portVar: 'CONSENT_PORT', port: 8082 },
  { name: 'audit', portVar: 'AUDIT_PORT', port: 8083 },
  { name: 'console', portVar: 'CONSOLE_PORT', port: 8080, path: '/' },
];
const host = process.env.HOST || '127.0.0.1';
const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;

/** @type {ReturnType<typeof supervise>[]} */
const supervisors = [];
let stopping = false;
const log = (line) => process.stderr.write(`start-all: ${line}\n`);

function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  const deadline = setTimeout(() => process.exit(exitCode || 1), 20_000);
  deadline.unref();
  void Promise.all(supervisors.map((supervisor) => supervisor.stop())).then(() =>
    process.exit(exitCode),
  );
}

for (const service of services) {
  service.port = Number(process.env[service.portVar] || service.port);
}
const serviceUrl = (name) => {
  const service = services.find((s) => s.name === name);
  return `http://${shownHost}:${service ? service.port : 0}`;
};
// The services wired together: documents asks consent; documents and consent ship audit.
const wiring = {
  DOCUMENTS_CONSENT_URL: process.env.DOCUMENTS_CONSENT_URL || serviceUrl('consent'),
  AUDIT_URL: process.env.AUDIT_URL || serviceUrl('audit'),
  // The console calls the three services for its signed-in user.
  CONSOLE_DOCUMENTS_URL: process.env.CONSOLE_DOCUMENTS_URL || serviceUrl('documents'),
  CONSOLE_CONSENT_URL: process.env.CONSOLE_CONSENT_URL || serviceUrl('consent'),
  CONSOLE_AUDIT_URL: process.env.CONSOLE_AUDIT_URL || serviceUrl('audit'),
};

async function isHealthy(service) {
  try {
    const url = `http://${shownHost}:${service.port}/healthz`;
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false; // not listening (yet)
  }
}

for (const service of services) {
  const supervisor = supervise({
    name: service.name,
    start: () =>
      spawn(
        process.execPath,
        [...SERVICE_NODE_ARGS, path.join(root, 'services', service.name, 'dist', 'src', 'main.js')],
        {
          cwd: process.cwd(),
          env: { ...process.env, ...wiring },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      ),
    isHealthy: () => isHealthy(service),
    log,
    onGiveUp: (name) => {
      log(`${name} keeps crashing at start; stopping everything`);
      stopAll(1);
    },
  });
  supervisors.push(supervisor);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

Promise.all(supervisors.map((supervisor) => supervisor.firstHealthy)).then(
  () => {
    const lines = [
      '',
      'DMP document repository is running (embedded SQLite under ' +
        (process.env.DATA_DIR || './data') +
        '):',
      ...services.map(
        (s) => `  ${s.name.padEnd(10)} http://${shownHost}:${s.port}${s.path || '/fhir'}`,
      ),
      '',
      `Open the console in a browser: http://${shownHost}:${services[3].port}/ (after npm run seed)`,
      '',
      'Get a token from the local dev issuer, then call a service:',
      '  TOKEN=$(npm run -s token -- --kind practitioner --profession 10)',
      `  curl -H "Authorization: Bearer $TOKEN" http://${shownHost}:${services[0].port}/fhir/metadata`,
      '',
      'Ctrl-C stops everything.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
  },
  (error) => {
    process.stderr.write(`${error.message}\n`);
    stopAll(1);
  },
);
