import type { Coding, Identifier } from 'fhir/r4';
import { tokenInvalidError } from './auth-errors';

/** Shape checks for token claims. A wrong type is a 401 naming the claim (never its value). */
export type ClaimObject = Record<string, unknown>;

export function isClaimObject(value: unknown): value is ClaimObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wrongType(path: string, expected: string): never {
  throw tokenInvalidError(`Claim ${path} must be ${expected}.`);
}

export function readOptionalString(
  obj: ClaimObject,
  key: string,
  path: string,
): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : wrongType(path, 'a string');
}

export function readRequiredString(obj: ClaimObject, key: string, path: string): string {
  const value = readOptionalString(obj, key, path);
  return value !== undefined && value.trim() !== '' ? value : wrongType(path, 'a non-empty string');
}

export function readOptionalObject(
  obj: ClaimObject,
  key: string,
  path: string,
): ClaimObject | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  return isClaimObject(value) ? value : wrongType(path, 'an object');
}

export function readOptionalEnum<T extends string>(
  obj: ClaimObject,
  key: string,
  path: string,
  allowed: readonly T[],
): T | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  const found = allowed.find((candidate) => candidate === value);
  return found ?? wrongType(path, `one of ${allowed.join(', ')}`);
}

function toCoding(value: unknown, path: string): Coding {
  if (!isClaimObject(value)) return wrongType(path, 'an array of Codings');
  const code = value['code'];
  const system = value['system'];
  const display = value['display'];
  if (typeof code !== 'string' || code === '') return wrongType(path, 'an array of Codings');
  if (system !== undefined && typeof system !== 'string') {
    return wrongType(path, 'an array of Codings');
  }
  if (display !== undefined && typeof display !== 'string') {
    return wrongType(path, 'an array of Codings');
  }
  return {
    code,
    ...(system !== undefined ? { system } : {}),
    ...(display !== undefined ? { display } : {}),
  };
}

/** An array of FHIR Codings, each with a `code` (a single Coding object is not accepted). */
export function readCodings(obj: ClaimObject, key: string, path: string): Coding[] {
  const value = obj[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) return wrongType(path, 'an array of Codings');
  return value.map((item: unknown) => toCoding(item, path));
}

function personIdFromCx(cx: string, path: string): Identifier {
  // CX: value^^^&<universal id>&<universal id type>[^type code]
  const parts = cx.split('^');
  const value = parts[0] ?? '';
  const authority = (parts[3] ?? '').split('&');
  const universalId = authority[1] ?? '';
  if (value === '' || universalId === '') return wrongType(path, 'an identifier');
  const system = authority[2] === 'ISO' ? `urn:oid:${universalId}` : universalId;
  return { system, value };
}

/**
 * `ihe_iua.person_id`, the patient the token is bound to. Three forms are accepted:
 * an Identifier-like object `{ "system": "urn:oid:1.2.250.1.213.1.4.8", "value": "<INS>" }`
 * (what our issuers mint), a FHIR token string `system|value`, or an HL7 v2 CX string
 * `<INS>^^^&1.2.250.1.213.1.4.8&ISO^NH` (what IUA and the DMP VIHF use).
 */
export function readPersonId(obj: ClaimObject, key: string, path: string): Identifier | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (isClaimObject(value)) {
    const system = value['system'];
    const id = value['value'];
    if (typeof system !== 'string' || system === '' || typeof id !== 'string' || id === '') {
      return wrongType(path, 'an identifier');
    }
    return { system, value: id };
  }
  if (typeof value !== 'string') return wrongType(path, 'an identifier');
  if (value.includes('^')) return personIdFromCx(value, path);
  const bar = value.indexOf('|');
  if (bar <= 0 || bar === value.length - 1) return wrongType(path, 'an identifier');
  return { system: value.slice(0, bar), value: value.slice(bar + 1) };
}
