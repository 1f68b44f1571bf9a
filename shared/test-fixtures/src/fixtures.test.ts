import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findRepositoryRoot,
  FIXTURES_DIR,
  fixtureNames,
  fixturePath,
  readFixture,
  REPOSITORY_ROOT,
} from './index';

describe('the repository root', () => {
  it('is the directory whose package.json declares the workspaces', () => {
    const manifest = JSON.parse(
      readFileSync(path.join(REPOSITORY_ROOT, 'package.json'), 'utf8'),
    ) as { workspaces?: string[] };

    expect(manifest.workspaces).toEqual(expect.arrayContaining(['shared/*', 'tests']));
    expect(FIXTURES_DIR).toBe(path.join(REPOSITORY_ROOT, 'tests', 'fixtures'));
  });

  it('is found from any directory inside it, and not found outside any repository', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'dmp-no-repository-'));
    try {
      expect(findRepositoryRoot(path.join(FIXTURES_DIR, 'mhd-4.2.3'))).toBe(REPOSITORY_ROOT);
      expect(() => findRepositoryRoot(outside)).toThrow('no package.json with "workspaces"');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('fixtures', () => {
  it('reads a JSON fixture by folder and file name', () => {
    const binary = readFixture<{ resourceType: string }>('mhd-4.2.3', 'Binary-ex-binary.json');

    expect(binary.resourceType).toBe('Binary');
    expect(fixturePath('mhd-4.2.3', 'Binary-ex-binary.json')).toBe(
      path.join(FIXTURES_DIR, 'mhd-4.2.3', 'Binary-ex-binary.json'),
    );
  });

  it('names the missing file and where the fixtures live when one is missing', () => {
    expect(() => readFixture('mhd-4.2.3', 'No-such-example.json')).toThrow(
      'fixture tests/fixtures/mhd-4.2.3/No-such-example.json is missing: the tests and the demo ' +
        'seed read the official examples from tests/fixtures (see its README.md)',
    );
  });

  it('refuses a path that leaves the fixtures folder', () => {
    expect(() => fixturePath('..', '..', 'package.json')).toThrow(
      '../../package.json is not inside tests/fixtures',
    );
  });

  it('lists a folder sorted', () => {
    const names = fixtureNames('balp-1.1.4');

    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual([...names].sort());
  });

  it('are each described in tests/fixtures/README.md: source, version and licence', () => {
    const readme = readFileSync(path.join(FIXTURES_DIR, 'README.md'), 'utf8');
    const folders = readdirSync(FIXTURES_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);

    expect(folders.sort()).toEqual([
      'asbestos-mhd-v420',
      'balp-1.1.4',
      'mhd-4.2.3',
      'pdsm-3.1.1',
      'pdsm4dmp-0.1.0',
      'r4',
    ]);
    for (const folder of folders) {
      const section = readme.split(/^## /m).find((part) => part.startsWith(`\`${folder}/\``));
      expect({ folder, section: section !== undefined }).toEqual({ folder, section: true });
      expect(section).toMatch(/^- Source: \S/m);
      expect(section).toMatch(/^- Version: \S/m);
      expect(section).toMatch(/^- Licence: \S/m);
      expect(section).toMatch(/^- Known defects:/m);
    }
  });
});
