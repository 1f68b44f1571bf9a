#!/usr/bin/env node
import { resolve } from 'node:path';
import { mintToken, TOKEN_CLI_USAGE, UsageError, wantsHelp } from './token-options';

/**
 * `npm run -s token -- [options]`: prints one dev-issuer JWT on stdout (nothing else), errors and
 * help on stderr. Exit codes: 0 ok, 2 bad options, 1 anything else.
 */
async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stderr.write(`${TOKEN_CLI_USAGE}\n`);
    return 0;
  }
  const dataDir = resolve(process.cwd(), process.env['DATA_DIR'] ?? './data');
  try {
    process.stdout.write(`${await mintToken(argv, dataDir)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`token: ${error.message}\n\n${TOKEN_CLI_USAGE}\n`);
      return 2;
    }
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
