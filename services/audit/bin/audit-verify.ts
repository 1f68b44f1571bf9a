import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, serviceSettings } from '@dmp/config';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { defaultStorageUrl, parseStorageUrl } from '@dmp/storage';
import { openSqliteAuditLog } from '@dmp/storage-sqlite';
import { openCheckpointKey, verifyLog } from '../src/app';
import { auditSettings } from '../src/settings';

export interface VerifyIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

const USAGE = `usage: npm run audit:verify -- [--file <audit-log.sqlite>] [--public-jwk <jwk.json> | --key-file <pem>] [--json] [--progress]
Recomputes the audit hash chain and checks the signed checkpoints; reports the first broken
sequence number. Exit code: 0 intact, 1 broken, 2 cannot verify.`;

/**
 * `npm run audit:verify`: opens the audit log read-only (nothing in the file changes), verifies
 * it with a progress bar on a terminal (or with `--progress`), prints the verdict.
 */
export async function runAuditVerify(argv: string[], io: VerifyIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        file: { type: 'string' },
        'key-file': { type: 'string' },
        'public-jwk': { type: 'string' },
        json: { type: 'boolean' },
        progress: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const config = loadConfig(serviceSettings('audit'), io.env);
    const settings = loadConfig(auditSettings, io.env);
    const file =
      args.file ?? defaultLogFile(config.storageUrl ?? defaultStorageUrl(config.dataDir, 'audit'));
    if (!existsSync(file)) throw new Error(`no audit log at ${file}`);
    const publicKey = loadPublicKey(
      args['public-jwk'],
      args['key-file'] ??
        settings.checkpointKeyFile ??
        path.join(config.dataDir, 'audit', 'checkpoint-key.pem'),
    );
    const log = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS, readonly: true });
    const showProgress = args.progress === true || io.stderr.isTTY === true;
    try {
      const started = Date.now();
      const report = await verifyLog(log, publicKey, showProgress ? progressBar(io) : undefined);
      if (showProgress) io.stderr.write('\n');
      const seconds = (Date.now() - started) / 1000;
      if (args.json) io.stdout.write(`${JSON.stringify({ file, seconds, ...report })}\n`);
      else io.stdout.write(`${verdict(report)} (${file}, ${seconds.toFixed(1)} s)\n`);
      return report.ok ? 0 : 1;
    } finally {
      await log.close();
    }
  } catch (error) {
    io.stderr.write(`audit:verify: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

function defaultLogFile(storageUrl: string): string {
  const location = parseStorageUrl(storageUrl);
  if (location.kind !== 'sqlite' || location.file === ':memory:') {
    throw new Error('give --file: the storage URL names no SQLite file');
  }
  return path.join(path.dirname(location.file), 'audit-log.sqlite');
}

function loadPublicKey(jwkFile: string | undefined, keyFile: string): KeyObject {
  if (jwkFile) {
    const jwk = JSON.parse(readFileSync(jwkFile, 'utf8')) as JsonWebKey;
    return createPublicKey({ key: jwk, format: 'jwk' });
  }
  if (!existsSync(keyFile)) throw new Error(`no checkpoint key at ${keyFile} (give --public-jwk)`);
  return openCheckpointKey(keyFile).publicKey;
}

function progressBar(io: VerifyIo): (verified: number, total: number) => void {
  return (verified, total) => {
    const ratio = total === 0 ? 1 : Math.min(1, verified / total);
    const filled = Math.round(ratio * 30);
    io.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${verified}/${total} events`,
    );
  };
}

function verdict(report: Awaited<ReturnType<typeof verifyLog>>): string {
  const summary = `${report.verified}/${report.total} events, ${report.checkpoints} checkpoints`;
  if (report.ok) return `OK: chain intact up to seq ${report.head.seq} (${summary})`;
  if (report.firstBroken) {
    return `BROKEN at seq ${report.firstBroken.seq}: ${report.firstBroken.reason} (${summary})`;
  }
  return `BROKEN: checkpoint signatures do not verify at seq ${report.badSignatures.join(', ')} (${summary})`;
}

if (require.main === module) {
  void runAuditVerify(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
