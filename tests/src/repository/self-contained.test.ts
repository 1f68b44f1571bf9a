import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPOSITORY_ROOT } from '@dmp/test-fixtures';
import { findOutsidePaths } from './outside-paths';

/**
 * The repository stands on its own: no file git knows of (tracked, or new and not ignored)
 * refers to a path outside it, so a clone anywhere builds, tests and runs its demo.
 */
function repositoryFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: REPOSITORY_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    },
  )
    .toString()
    .split('\0')
    .filter((file) => file !== '');
  return [...new Set(listed)].filter((file) => existsSync(path.join(REPOSITORY_ROOT, file)));
}

function textOf(file: string): string | undefined {
  const bytes = readFileSync(path.join(REPOSITORY_ROOT, file));
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
}

describe('the repository stands on its own', () => {
  it('has no file referring to a path outside the repository', () => {
    const files = repositoryFiles();

    const found = files.flatMap((file) => {
      const text = textOf(file);
      return text === undefined ? [] : findOutsidePaths(REPOSITORY_ROOT, file, text);
    });

    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'package.json', 'tests/fixtures/README.md']),
    );
    expect(found.map((f) => `${f.file}:${f.line}: ${f.text} (${f.why})`)).toEqual([]);
  });
});
