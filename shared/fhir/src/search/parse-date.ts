import { fhirError } from '@dmp/errors';
import type { DatePrefix, DateRange, DateValue } from './search-query';

const PREFIXES: readonly DatePrefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const MIN_INSTANT = '0000-01-01T00:00:00.000Z';
const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

/** Parses one date search value (`ge2024-03`, `2024-03-01T10:00:00+01:00`) into a prefixed range. */
export function parseDateValue(name: string, raw: string): DateValue {
  let prefix: DatePrefix = 'eq';
  let text = raw;
  if (/^[a-zA-Z]/.test(raw)) {
    const candidate = raw.slice(0, 2);
    if (!(PREFIXES as readonly string[]).includes(candidate)) {
      throw fhirError(
        'DMP-SEARCH-INVALID-PREFIX',
        `Parameter '${name}' has an unknown prefix`,
        name,
      );
    }
    prefix = candidate as DatePrefix;
    text = raw.slice(2);
  }
  const range = parseDateRange(text);
  if (!range) {
    throw fhirError(
      'DMP-SEARCH-INVALID-VALUE',
      `Parameter '${name}' is not a FHIR date or dateTime`,
      name,
    );
  }
  return { prefix, ...range };
}

/**
 * The instants a FHIR date or dateTime stands for, as [low, high) in UTC. The precision given
 * sets the width: `2024` is the whole year, `2024-03-01T10:00` a minute, `…:05.25` 10 ms.
 * A dateTime without a timezone is read as UTC: FHIR leaves it to the server, and our data is
 * stored as UTC instants, so any other choice would shift matches by the server's offset.
 * Returns undefined when the text is not a valid calendar date/time.
 */
export function parseDateRange(text: string): DateRange | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const fraction = frac ?? '';
  const millis = fraction === '' ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  const offset = zone === undefined ? 0 : parseOffsetMinutes(zone);
  if (offset === undefined) return undefined;

  const start = utc(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
  let end: number;
  if (mo === undefined) end = utc(year + 1, 0, 1) - offset * 60_000;
  else if (d === undefined) end = utc(year, month, 1) - offset * 60_000;
  else if (h === undefined) end = start + 86_400_000;
  else if (s === undefined) end = start + 60_000;
  else if (fraction === '') end = start + 1000;
  else end = start + 10 ** Math.max(0, 3 - fraction.length);
  return { low: toInstant(start), high: toInstant(end) };
}

function utc(year: number, monthIndex: number, day: number, h = 0, m = 0, s = 0, ms = 0): number {
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, 0, 1, h, m, s, ms));
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

function parseOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ`, clamped to years 0000-9999 so that text order stays time order. */
function toInstant(epochMillis: number): string {
  const iso = new Date(epochMillis).toISOString();
  if (/^\d{4}-/.test(iso)) return iso;
  return iso.startsWith('-') ? MIN_INSTANT : MAX_INSTANT;
}
