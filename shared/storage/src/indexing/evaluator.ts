import * as fhirpath from 'fhirpath';
import * as r4Model from 'fhirpath/fhir-context/r4';

/** One value an expression selected, with its FHIR type when known (`Identifier`, `date`, …). */
export interface TypedValue {
  type: string | undefined;
  value: unknown;
}

export type Evaluate = (resource: object) => TypedValue[];

type PathTypes = Record<string, string | { code: string } | undefined>;
const PATH_TYPES = r4Model.path2Type as unknown as PathTypes;

const SIMPLE_PATH = /^[A-Z][A-Za-z]+(?:\.[a-z][A-Za-z]*)+$/;
const WHERE_REFERENCE_IS =
  /^([A-Z][A-Za-z]+(?:\.[a-z][A-Za-z]*)+)\.where\(type = '([A-Za-z]+)' or reference\.startsWith\('\2\/'\) or reference\.contains\('\/\2\/'\)\)$/;

/**
 * Compiles a SearchParameter FHIRPath expression once. Unions of plain element paths (the large
 * majority of R4 parameters) and the registry's `where(type = … or reference…)` rewrite of
 * `where(resolve() is X)` run as direct JSON walks typed with the R4 model (several times faster
 * than the interpreter); everything else is compiled by fhirpath.js with the R4 model.
 */
export function compileExpression(
  expression: string,
  options: { fastPath?: boolean } = {},
): Evaluate {
  const fast = options.fastPath === false ? undefined : compileFastPath(expression);
  return fast ?? compileWithFhirpath(expression);
}

interface FastPart {
  segments: string[];
  type: string | undefined;
  referenceTo?: string;
}

function compileFastPath(expression: string): Evaluate | undefined {
  const parts: FastPart[] = [];
  for (const text of expression.split(' | ').map((p) => p.trim())) {
    const where = WHERE_REFERENCE_IS.exec(text);
    const path = where ? where[1] : SIMPLE_PATH.test(text) ? text : undefined;
    if (path === undefined) return undefined;
    const segments = path.split('.');
    const type = elementType(segments);
    if (type === undefined) return undefined;
    parts.push({ segments: segments.slice(1), type, referenceTo: where?.[2] });
  }
  return (resource) => {
    const out: TypedValue[] = [];
    for (const part of parts) {
      const values: unknown[] = [];
      walk(resource, part.segments, 0, values);
      for (const value of values) {
        if (part.referenceTo !== undefined && !pointsTo(value, part.referenceTo)) continue;
        out.push({ type: part.type, value });
      }
    }
    return out;
  };
}

/** The R4 type of `Type.a.b.c`, following data types (`Attachment.creation`) and backbones. */
function elementType(segments: string[]): string | undefined {
  let context = segments[0] ?? '';
  let type: string | undefined;
  for (const segment of segments.slice(1)) {
    const entry = PATH_TYPES[`${context}.${segment}`];
    if (entry === undefined) return undefined;
    type = typeof entry === 'string' ? entry : entry.code;
    if (type.startsWith('System.')) type = type.slice(7).toLowerCase();
    context = type === 'BackboneElement' || type === 'Element' ? `${context}.${segment}` : type;
  }
  return type;
}

function walk(node: unknown, segments: string[], index: number, out: unknown[]): void {
  if (node === undefined || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, segments, index, out);
    return;
  }
  if (index === segments.length) {
    out.push(node);
    return;
  }
  if (typeof node !== 'object') return;
  walk((node as Record<string, unknown>)[segments[index] ?? ''], segments, index + 1, out);
}

function pointsTo(value: unknown, type: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as { type?: unknown; reference?: unknown };
  if (ref.type === type) return true;
  if (typeof ref.reference !== 'string') return false;
  return ref.reference.startsWith(`${type}/`) || ref.reference.includes(`/${type}/`);
}

interface FhirpathNode {
  data?: unknown;
  fhirNodeDataType?: string;
}

function compileWithFhirpath(expression: string): Evaluate {
  const run = fhirpath.compile(expression, r4Model, { resolveInternalTypes: false }) as (
    resource: object,
  ) => unknown[];
  return (resource) =>
    run(resource).map((node): TypedValue => {
      if (typeof node === 'object' && node !== null && 'data' in node) {
        const typed = node as FhirpathNode;
        return { type: typed.fhirNodeDataType, value: typed.data };
      }
      if (typeof node === 'object' && node !== null) {
        // fhirpath.js internal values (FP_DateTime, FP_Quantity…) print as their FHIR text.
        const printable = node as { toString(): string };
        return { type: undefined, value: printable.toString() };
      }
      return { type: typeof node, value: node };
    });
}
