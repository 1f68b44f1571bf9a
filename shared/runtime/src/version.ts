import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The product version, from the root package.json (one version for the three services). */
export const SOFTWARE_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
