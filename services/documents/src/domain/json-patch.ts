/** RFC 6902 JSON Patch on plain JSON values (add, remove, replace, test). */
export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

export class PatchError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
  }
}

type Container = Record<string, unknown> | unknown[];

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError('A JSON Pointer starts with /', pointer);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function child(container: Container, token: string, pointer: string): unknown {
  if (Array.isArray(container)) {
    const index = Number(token);
    if (!/^\d+$/.test(token) || index >= container.length)
      throw new PatchError('No such array item', pointer);
    return container[index];
  }
  if (!(token in container)) throw new PatchError('No such member', pointer);
  return container[token];
}

function parentOf(
  document: unknown,
  tokens: string[],
  pointer: string,
): { parent: Container; last: string } {
  const last = tokens[tokens.length - 1];
  if (last === undefined) throw new PatchError('The whole resource cannot be patched', pointer);
  let current = document;
  for (const token of tokens.slice(0, -1)) {
    if (!isContainer(current)) throw new PatchError('Path goes through a primitive', pointer);
    current = child(current, token, pointer);
  }
  if (!isContainer(current)) throw new PatchError('Path goes through a primitive', pointer);
  return { parent: current, last };
}

function applyOne(document: unknown, operation: JsonPatchOperation): void {
  const { op, path } = operation;
  const tokens = parsePointer(path);
  const { parent, last } = parentOf(document, tokens, path);
  const value: unknown = structuredClone(operation.value);
  switch (op) {
    case 'add':
      if (Array.isArray(parent)) {
        const index = last === '-' ? parent.length : Number(last);
        if (!(last === '-' || /^\d+$/.test(last)) || index > parent.length)
          throw new PatchError('Bad array index', path);
        parent.splice(index, 0, value);
      } else {
        parent[last] = value;
      }
      return;
    case 'remove':
    case 'replace':
      child(parent, last, path);
      if (Array.isArray(parent)) {
        if (op === 'remove') parent.splice(Number(last), 1);
        else parent[Number(last)] = value;
      } else if (op === 'remove') {
        delete parent[last];
      } else {
        parent[last] = value;
      }
      return;
    case 'test':
      if (JSON.stringify(child(parent, last, path)) !== JSON.stringify(value)) {
        throw new PatchError('test failed', path);
      }
      return;
    default:
      throw new PatchError(`Unsupported JSON Patch op '${op}'`, path);
  }
}

/** Applies the operations to a copy of `document`; throws {@link PatchError} on any problem. */
export function applyJsonPatch<T>(document: T, operations: unknown): T {
  if (!Array.isArray(operations))
    throw new PatchError('A JSON Patch is an array of operations', '');
  const copy = structuredClone(document);
  operations.forEach((operation: unknown, i) => {
    const candidate = operation as Partial<JsonPatchOperation> | null;
    if (typeof candidate?.op !== 'string' || typeof candidate.path !== 'string') {
      throw new PatchError('Each operation has op and path', `[${String(i)}]`);
    }
    applyOne(copy, candidate as JsonPatchOperation);
  });
  return copy;
}
