import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function declaresWorkspaces(packageFile: string): boolean {
  if (!existsSync(packageFile)) return false;
  const manifest = JSON.parse(readFileSync(packageFile, 'utf8')) as { workspaces?: unknown };
  return Array.isArray(manifest.workspaces);
}

/**
 * The repository root: the nearest directory at or above `from` whose `package.json` declares
 * npm `workspaces`. Works from sources (jest) and from builds (`dist/`) alike, wherever the
 * clone is.
 */
export function findRepositoryRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (declaresWorkspaces(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json with "workspaces" at or above ${from}`);
    }
    dir = parent;
  }
}

/** The root of the repository this module belongs to. */
export const REPOSITORY_ROOT = findRepositoryRoot(__dirname);
