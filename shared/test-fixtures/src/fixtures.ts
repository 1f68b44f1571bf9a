import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPOSITORY_ROOT } from './repository-root';

/**
 * The official examples (IHE MHD and BALP, ANS PDSm, FHIR R4, NIST asbestos) that the tests and
 * the demo seed use, copied unchanged into `tests/fixtures/<source>-<version>/` with their
 * source, licence and known defects in `tests/fixtures/README.md`.
 */
export const FIXTURES_DIR = path.join(REPOSITORY_ROOT, 'tests', 'fixtures');

const shown = (file: string) => path.relative(REPOSITORY_ROOT, file).split(path.sep).join('/');

/** The path of a fixture, e.g. `fixturePath('mhd-4.2.3', 'Binary-ex-binary.json')`. */
export function fixturePath(...parts: string[]): string {
  const file = path.resolve(FIXTURES_DIR, ...parts);
  if (file !== FIXTURES_DIR && !file.startsWith(`${FIXTURES_DIR}${path.sep}`)) {
    throw new Error(`${parts.join('/')} is not inside ${shown(FIXTURES_DIR)}`);
  }
  if (!existsSync(file)) {
    throw new Error(
      `fixture ${shown(file)} is missing: the tests and the demo seed read the official ` +
        `examples from ${shown(FIXTURES_DIR)} (see its README.md)`,
    );
  }
  return file;
}

/** A JSON fixture, parsed. */
export function readFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}

/** The file names of a fixture folder, sorted. */
export function fixtureNames(...folder: string[]): string[] {
  return readdirSync(fixturePath(...folder)).sort();
}
