/**
 * Allow-list check of a rendered filter: only the operators the renderer means to use, each with
 * the operand shape MongoDB accepts. mingo is more lenient than the server on some shapes, so the
 * tests run every rendering through this first: what MongoDB would reject fails here too.
 */

const LOGICAL = new Set(['$and', '$or', '$nor']);
const COMPARISON = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);
const LIST = new Set(['$in', '$nin']);

export class InvalidFilterError extends Error {
  override name = 'InvalidFilterError';
}

export function validateFilter(filter: unknown, path = '$'): void {
  if (!isPlainObject(filter)) fail(path, 'a query must be an object');
  for (const [key, value] of Object.entries(filter)) {
    const at = `${path}.${key}`;
    if (LOGICAL.has(key)) {
      if (!Array.isArray(value) || value.length === 0) fail(at, `${key} needs a non-empty array`);
      value.forEach((item, i) => validateFilter(item, `${at}[${i}]`));
    } else if (key.startsWith('$')) {
      fail(at, `unknown top-level operator ${key}`);
    } else {
      if (key === '' || key.split('.').some((part) => part === '')) fail(at, 'empty field path');
      validateCondition(value, at);
    }
  }
}

function validateCondition(value: unknown, at: string): void {
  if (!isPlainObject(value)) {
    if (value instanceof RegExp || typeof value === 'function') fail(at, 'unsupported literal');
    return; // a literal: equality
  }
  const keys = Object.keys(value);
  const operators = keys.filter((k) => k.startsWith('$'));
  if (operators.length === 0) return; // an embedded-document equality
  if (operators.length !== keys.length) fail(at, 'operators mixed with field names');
  for (const op of operators) validateOperator(op, value[op], value, `${at}.${op}`);
}

function validateOperator(
  op: string,
  operand: unknown,
  all: Record<string, unknown>,
  at: string,
): void {
  if (COMPARISON.has(op)) {
    if (isPlainObject(operand) || Array.isArray(operand)) fail(at, `${op} needs a scalar`);
  } else if (LIST.has(op)) {
    if (!Array.isArray(operand)) fail(at, `${op} needs an array`);
    if (operand.some((v) => isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$')))) {
      fail(at, `${op} cannot hold operators`);
    }
  } else if (op === '$exists') {
    if (typeof operand !== 'boolean') fail(at, '$exists needs a boolean');
  } else if (op === '$regex') {
    if (typeof operand !== 'string') fail(at, '$regex needs a string pattern');
    try {
      new RegExp(operand);
    } catch {
      fail(at, 'invalid regular expression');
    }
  } else if (op === '$options') {
    if (!('$regex' in all) || typeof operand !== 'string' || !/^[imsx]*$/.test(operand)) {
      fail(at, '$options needs $regex and flags among imsx');
    }
  } else if (op === '$elemMatch') {
    validateElemMatch(operand, at);
  } else if (op === '$not') {
    if (!isPlainObject(operand) || Object.keys(operand).some((k) => !k.startsWith('$'))) {
      fail(at, '$not needs an operator expression');
    }
    validateCondition(operand, at);
  } else {
    fail(at, `operator ${op} is not allowed`);
  }
}

/**
 * `$elemMatch` holds either a query on the elements' fields (field paths and `$and/$or/$nor`) or
 * operators applied to scalar elements, never both; it cannot be empty.
 */
function validateElemMatch(operand: unknown, at: string): void {
  if (!isPlainObject(operand) || Object.keys(operand).length === 0) {
    fail(at, '$elemMatch needs a non-empty object');
  }
  const keys = Object.keys(operand);
  const valueOperators = keys.filter((k) => k.startsWith('$') && !LOGICAL.has(k));
  if (valueOperators.length === 0) {
    validateFilter(operand, at);
    return;
  }
  if (valueOperators.length !== keys.length) fail(at, '$elemMatch mixes operators and fields');
  validateCondition(operand, at);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof RegExp)
  );
}

function fail(at: string, message: string): never {
  throw new InvalidFilterError(`${at}: ${message}`);
}
