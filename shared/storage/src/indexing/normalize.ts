import { foldString } from '@dmp/fhir';
import type { DateRange } from '@dmp/fhir';
import { dateRange, periodRange } from './date-range';
import type { TypedValue } from './evaluator';

/** A token pair; `system: null` when the value has none. */
export interface TokenPair {
  system: string | null;
  code: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** Coding, CodeableConcept, Identifier, ContactPoint, code/string/uri/id, boolean. */
export function toTokens({ type, value }: TypedValue, out: TokenPair[]): void {
  if (typeof value === 'string') {
    if (value.length > 0) out.push({ system: null, code: value });
    return;
  }
  if (typeof value === 'boolean' || typeof value === 'number') {
    out.push({ system: null, code: String(value) });
    return;
  }
  if (!isObject(value)) return;
  if (type === 'CodeableConcept' || Array.isArray(value.coding)) {
    for (const coding of (value.coding as unknown[] | undefined) ?? []) {
      toTokens({ type: 'Coding', value: coding }, out);
    }
    return;
  }
  const code = text(value.code) ?? text(value.value);
  if (code !== undefined) out.push({ system: text(value.system) ?? null, code });
}

/** Strings, HumanName (family, given, prefix, suffix, text), Address parts. */
export function toStrings({ value }: TypedValue, out: string[]): void {
  if (typeof value === 'string') {
    if (value.length > 0) out.push(value);
    return;
  }
  if (!isObject(value)) return;
  for (const key of STRING_PARTS) {
    const part = value[key];
    if (typeof part === 'string') {
      if (part.length > 0) out.push(part);
    } else if (Array.isArray(part)) {
      for (const item of part) if (typeof item === 'string' && item.length > 0) out.push(item);
    }
  }
}

const STRING_PARTS = [
  'family',
  'given',
  'prefix',
  'suffix',
  'text',
  'line',
  'city',
  'district',
  'state',
  'postalCode',
  'country',
];

/** date, dateTime, instant, Period (open ends as sentinels). */
export function toDateRange({ value }: TypedValue): DateRange | undefined {
  if (typeof value === 'string') return dateRange(value);
  if (!isObject(value)) return undefined;
  return periodRange(text(value.start), text(value.end));
}

/** A Reference (or canonical/uri) as stored: `Type/id`, absolute URL/urn kept, `#id`. */
export function toReference({ value }: TypedValue): string | undefined {
  const raw =
    typeof value === 'string' ? value : isObject(value) ? text(value.reference) : undefined;
  if (raw === undefined) return undefined;
  const history = raw.indexOf('/_history/');
  return history > 0 ? raw.slice(0, history) : raw;
}

/** The logical identifier carried by a Reference, if any. */
export function referenceIdentifier({ value }: TypedValue): TokenPair | undefined {
  if (!isObject(value) || !isObject(value.identifier)) return undefined;
  const code = text(value.identifier.value);
  return code === undefined ? undefined : { system: text(value.identifier.system) ?? null, code };
}

export function fold(value: string): string {
  return foldString(value);
}
