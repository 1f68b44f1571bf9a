import path from 'node:path';
import { REPOSITORY_ROOT } from '@dmp/test-fixtures';
import { findOutsidePaths } from './outside-paths';

/*
 * The samples are assembled at run time (`PARENT` is two dots, `UP` two dots and a slash), so
 * that this file does not itself refer outside the repository.
 */
const PARENT = ['.', '.'].join('');
const UP = [PARENT, ''].join('/');
/** A folder beside the repository, which a clone elsewhere does not have. */
const BESIDE = 'sibling-folder';
const WORK = ['', 'work', ''].join('/');
const dirnameCall = (base: string, segments: string[]) =>
  `const FIXTURES = path.resolve(${base}, ${segments.map((s) => `'${s}'`).join(', ')});`;

const found = (file: string, text: string) =>
  findOutsidePaths(REPOSITORY_ROOT, file, text).map(({ line, text: what }) => ({ line, what }));

describe('findOutsidePaths', () => {
  it('finds a relative path that leaves the repository, resolved from the file', () => {
    const text = `# Title\n\nThe design is in \`${UP}shared/docs/ARCHITECTURE.md\`.\n`;

    expect(found('README.md', text)).toEqual([
      { line: 3, what: `${UP}shared/docs/ARCHITECTURE.md` },
    ]);
  });

  it('lets relative paths that stay inside pass: project references, imports, links', () => {
    expect(found('services/audit/tsconfig.json', `{ "path": "${UP}${UP}shared/errors" }`)).toEqual(
      [],
    );
    expect(
      found(
        'tests/src/wiring/x.test.ts',
        `import { h } from '${UP}${UP}${UP}services/documents/test/harness';`,
      ),
    ).toEqual([]);
    expect(found('fhir-profiles/README.md', `See [the README](${UP}README.md).`)).toEqual([]);
  });

  it('finds, in prose, a path written from the root that names nothing from where it is', () => {
    const text = `tests read them from \`${UP}shared/fixtures\` (see its README)`;

    expect(found('fhir-profiles/README.md', text)).toEqual([
      { line: 1, what: `${UP}shared/fixtures` },
    ]);
  });

  it('finds __dirname-based paths that climb above the root, in one string or in segments', () => {
    const segments = dirnameCall('__dirname', [PARENT, PARENT, PARENT, PARENT, BESIDE, 'fixtures']);
    const oneString = dirnameCall('__dirname', [`${UP.repeat(6)}shared/fixtures`]);

    expect(found('services/documents/test/harness.ts', segments)).toHaveLength(1);
    expect(
      found('shared/fhir/src/search/parameters/registry.test.ts', oneString).length,
    ).toBeGreaterThan(0);
    expect(
      found(
        'services/documents/test/harness.ts',
        dirnameCall('__dirname', [PARENT, PARENT, PARENT]),
      ),
    ).toEqual([]);
  });

  it('finds a path built above the repository root from the root or the working directory', () => {
    expect(
      found('tests/src/seed/seed.ts', dirnameCall('ROOT', [PARENT, BESIDE, 'fixtures'])),
    ).toHaveLength(1);
    expect(found('scripts/x.js', dirnameCall('process.cwd()', [PARENT, BESIDE]))).toHaveLength(1);
    expect(found('tests/src/seed/seed.ts', dirnameCall('ROOT', ['tests', 'fixtures']))).toEqual([]);
  });

  it('finds absolute paths of one machine and of this clone, not URLs or temporary files', () => {
    const clone = path.join(REPOSITORY_ROOT, 'tests', 'fixtures');

    expect(found('tests/src/x.ts', `const a = '${WORK}shared/fixtures';`)).toHaveLength(1);
    expect(found('tests/src/x.ts', `const a = 'file://${WORK}shared';`)).toHaveLength(1);
    expect(found('docs.md', `read ${['', 'home', 'alice', 'dmp'].join('/')}`)).toHaveLength(1);
    expect(found('tests/src/x.ts', `const a = '${clone}';`).map((f) => f.what)).toContain(
      REPOSITORY_ROOT,
    );
    expect(found('README.md', `curl http://example.org${WORK}x > /tmp/bundle.json`)).toEqual([]);
  });

  it('does not take a full stop after a path for part of it, but keeps the dots of a parent', () => {
    expect(found('fhir-profiles/README.md', `See ${UP}README.md.`)).toEqual([]);
    expect(found('docker/compose.yaml', `context: ${UP}..`)).toHaveLength(1);
  });
});
