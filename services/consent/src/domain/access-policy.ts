import { createHash } from 'node:crypto';

/**
 * The configurable part of the access rules (policy, not law): the profession × document
 * class/type matrix ("matrice d'habilitations", SPEC C1.4), who may break glass (C2.6), who may
 * act as a regulating doctor (C2.2) and how long an emergency grant lasts (C2.9). Loaded from a
 * versioned JSON file at start; see README "Consent service" for the format.
 */

/** `"*"` allows every code. */
export type CodeList = '*' | readonly string[];

export interface MatrixEntry {
  label?: string;
  /** Document classes (TRE_A03 codes) the profession may see, whatever their type. */
  classes: CodeList;
  /** Extra document types (LOINC / TRE_A05 codes) allowed even when their class is not. */
  types: CodeList;
}

export interface AccessPolicy {
  /** Version label of the configuration, echoed in every decision. */
  version: string;
  /** True while the shipped example (not the official table) is in use. */
  example: boolean;
  /** By G15 profession code. A profession absent from the matrix sees nothing (fail closed). */
  matrix: Readonly<Record<string, MatrixEntry>>;
  breakGlass: { professions: readonly string[]; grantMinutes: number };
  regulation: { professions: readonly string[] };
}

/** Used when no policy file is given: nobody may consult, nobody may break glass. */
export const EMPTY_POLICY: AccessPolicy = Object.freeze({
  version: 'empty',
  example: true,
  matrix: {},
  breakGlass: { professions: [], grantMinutes: 60 },
  regulation: { professions: [] },
});

/**
 * What identifies a policy's content, beyond its version label: `<version>#<digest>`. A
 * follower of the change feed that sees it change forgets every decision it kept.
 */
export function policyFingerprint(policy: AccessPolicy): string {
  const digest = createHash('sha256').update(JSON.stringify(policy)).digest('hex');
  return `${policy.version}#${digest.slice(0, 16)}`;
}

export function allowsAll(list: CodeList): boolean {
  return list === '*';
}

/** May this profession entry see a document of this class and type? Unknown codes fail closed. */
export function matrixAllows(
  entry: MatrixEntry,
  classCode: string | undefined,
  typeCode: string | undefined,
): boolean {
  if (allowsAll(entry.classes) || allowsAll(entry.types)) return true;
  const inList = (list: CodeList, code: string | undefined) =>
    code !== undefined && (list === '*' || list.includes(code));
  return inList(entry.classes, classCode) || inList(entry.types, typeCode);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function codeList(value: unknown, where: string, problems: string[]): CodeList {
  if (value === '*') return '*';
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')) {
    return value as string[];
  }
  problems.push(`${where} must be "*" or an array of codes`);
  return [];
}

function stringList(value: unknown, where: string, problems: string[]): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  problems.push(`${where} must be an array of G15 profession codes`);
  return [];
}

/** Validates a parsed policy file; throws one Error listing every problem. */
export function parseAccessPolicy(input: unknown): AccessPolicy {
  const problems: string[] = [];
  if (!isObject(input)) throw new Error('the consent policy must be a JSON object');
  const version = input['version'];
  if (typeof version !== 'string' || version === '') problems.push('version must be a string');
  const example = input['example'] === true;
  const matrixInput = input['matrix'];
  const matrix: Record<string, MatrixEntry> = {};
  if (!isObject(matrixInput)) problems.push('matrix must map G15 profession codes to entries');
  else {
    for (const [profession, entry] of Object.entries(matrixInput)) {
      if (!isObject(entry)) {
        problems.push(`matrix.${profession} must be an object`);
        continue;
      }
      const label = entry['label'];
      matrix[profession] = {
        ...(typeof label === 'string' ? { label } : {}),
        classes: codeList(entry['classes'], `matrix.${profession}.classes`, problems),
        types: codeList(entry['types'], `matrix.${profession}.types`, problems),
      };
    }
  }
  const breakGlass = isObject(input['breakGlass']) ? input['breakGlass'] : {};
  const grantMinutes = breakGlass['grantMinutes'];
  if (typeof grantMinutes !== 'number' || !Number.isInteger(grantMinutes) || grantMinutes < 1) {
    problems.push('breakGlass.grantMinutes must be a positive integer');
  }
  const regulation = isObject(input['regulation']) ? input['regulation'] : {};
  const policy: AccessPolicy = {
    version: typeof version === 'string' ? version : '',
    example,
    matrix,
    breakGlass: {
      professions: stringList(breakGlass['professions'], 'breakGlass.professions', problems),
      grantMinutes: typeof grantMinutes === 'number' ? grantMinutes : 0,
    },
    regulation: {
      professions: stringList(regulation['professions'], 'regulation.professions', problems),
    },
  };
  if (problems.length > 0) throw new Error(`invalid consent policy: ${problems.join('; ')}`);
  return policy;
}
