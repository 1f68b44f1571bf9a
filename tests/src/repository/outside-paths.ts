import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds the places where a file of the repository refers to a path outside it (the kind of
 * reference that works on one machine, where a sibling folder happens to exist, and nowhere
 * else). What counts:
 * - an absolute path into a shared work folder or a home directory (under `/work`,
 *   `/home/<user>`, `/Users/<user>` or a Windows user folder), or into the clone itself;
 * - a relative path (`../…`) that, resolved against the file's own directory, leaves the
 *   repository root (tsconfig references such as `../../shared/errors` stay inside);
 * - in prose and configuration (not code), a `../…` path that names nothing from where it is
 *   written: read from the repository root, as commands in documentation are, it leaves it;
 * - `path.resolve`/`path.join` of `__dirname` (or of a root or the working directory) with
 *   literal segments that climb above the root. `__dirname` is taken as the source file's
 *   directory, as jest runs it; a build in `dist/` one level deeper would be one level further
 *   in, so code must be right from its sources.
 */
export interface OutsidePath {
  /** Repository-relative file, `/`-separated. */
  file: string;
  line: number;
  /** The text that refers outside. */
  text: string;
  why: string;
}

const ABSOLUTE =
  /(?<![\w.-])(?:\/work\/|\/home\/[^/\s'"`]+\/|\/Users\/[^/\s'"`]+\/|[A-Za-z]:\\Users\\)/g;
const RELATIVE = /(?<![\w.\\/@-])(?:\.\.\/)+[^\s'"`()[\]<>{},;|*?#$]*/g;
const JOINED =
  /path\.(?:resolve|join)\(\s*(__dirname|process\.cwd\(\)|[A-Za-z_]*[Rr]oot[A-Za-z_]*|ROOT)\s*((?:,\s*(?:'[^'\n]*'|"[^"\n]*")\s*)*)/g;
const CODE = /\.(?:[cm]?[jt]s|tsx?)$/;
/** What a module specifier may leave out. */
const MODULE_SUFFIXES = ['', '.ts', '.d.ts', '.js', '.json', '/index.ts', '/index.js'];

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(`${root}${path.sep}`);
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** `../..` keeps its dots; a sentence's full stop or colon after a path does not belong to it. */
function trimmed(token: string): string {
  return /(^|\/)\.\.$/.test(token) ? token : token.replace(/[.:]+$/, '');
}

function literalSegments(args: string): string[] {
  return [...args.matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
}

export function findOutsidePaths(root: string, file: string, text: string): OutsidePath[] {
  const found: OutsidePath[] = [];
  const dir = path.dirname(path.join(root, file));
  const report = (index: number, what: string, why: string) =>
    found.push({ file, line: lineOf(text, index), text: what, why });

  for (const match of text.matchAll(ABSOLUTE)) {
    report(match.index, match[0], 'absolute path of one machine');
  }
  for (let at = text.indexOf(root); at >= 0; at = text.indexOf(root, at + 1)) {
    report(at, root, 'absolute path of this clone');
  }
  for (const match of text.matchAll(RELATIVE)) {
    const token = trimmed(match[0]);
    const target = path.resolve(dir, token);
    if (!inside(root, target)) {
      report(match.index, token, 'relative path that leaves the repository');
    } else if (!CODE.test(file) && !MODULE_SUFFIXES.some((s) => existsSync(`${target}${s}`))) {
      report(
        match.index,
        token,
        'relative path that names nothing here and leaves the repository from its root',
      );
    }
  }
  for (const match of text.matchAll(JOINED)) {
    const base = match[1] === '__dirname' ? dir : root;
    const target = path.resolve(base, ...literalSegments(match[2] ?? ''));
    if (!inside(root, target)) {
      report(match.index, match[0], 'path built above the repository root');
    }
  }
  return found;
}
