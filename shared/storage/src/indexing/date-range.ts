import type { DateRange } from '@dmp/fhir';
import { MAX_INSTANT, MIN_INSTANT } from './index-entry';

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The instants a FHIR date, dateTime or instant covers, as a closed-open UTC range: `2024`
 * covers the whole year, `2024-03-05` the whole (UTC) day, `…T10:00:00+01:00` one second,
 * `…T10:00:00.123Z` one millisecond. A time without offset is read as UTC. Undefined when the
 * text is not a FHIR date.
 */
export function dateRange(value: string): DateRange | undefined {
  const m = DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]) - 1;
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month === undefined) return range(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1));
  if (month > 11) return undefined;
  if (day === undefined) return range(Date.UTC(year, month, 1), Date.UTC(year, month + 1, 1));
  if (day < 1 || day > 31) return undefined;
  if (m[4] === undefined) return range(Date.UTC(year, month, day), Date.UTC(year, month, day + 1));
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  const seconds = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const step = m[6] === undefined ? 60_000 : m[7] === undefined ? 1000 : 1;
  const local = Date.UTC(year, month, day, hours, minutes, seconds, millis);
  const low = local - offsetMinutes(m[8]) * 60_000;
  return range(low, low + step);
}

/** A Period: open ends become the {@link MIN_INSTANT}/{@link MAX_INSTANT} sentinels. */
export function periodRange(start?: string, end?: string): DateRange | undefined {
  const from = start === undefined ? undefined : dateRange(start);
  const to = end === undefined ? undefined : dateRange(end);
  if (!from && !to) return undefined;
  return { low: from?.low ?? MIN_INSTANT, high: to?.high ?? MAX_INSTANT };
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

function range(low: number, high: number): DateRange | undefined {
  if (Number.isNaN(low) || Number.isNaN(high)) return undefined;
  return { low: toInstant(low, MIN_INSTANT), high: toInstant(high, MAX_INSTANT) };
}

function toInstant(ms: number, fallback: string): string {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  return year < 1 || year > 9999 ? fallback : date.toISOString();
}
