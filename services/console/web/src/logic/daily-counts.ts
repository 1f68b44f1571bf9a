import type { AuditEvent } from 'fhir/r4';

/** Accesses and refusals on one day (Europe/Paris). */
export interface DayCount {
  /** `YYYY-MM-DD`. */
  day: string;
  accesses: number;
  refusals: number;
}

const DAY_FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Paris calendar day of an instant, `YYYY-MM-DD`. */
export function parisDay(instant: string | Date): string {
  return DAY_FORMAT.format(typeof instant === 'string' ? new Date(instant) : instant);
}

/** Every day from `from` to `to` (inclusive, `YYYY-MM-DD`), at most `maxDays`. */
export function daysBetween(from: string, to: string, maxDays = 366): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T12:00:00Z`);
  for (
    let t = Date.parse(`${from}T12:00:00Z`);
    t <= end && days.length < maxDays;
    t += 86_400_000
  ) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** BALP `AuthZconsent` decision records (DICOM 110113) and the trail's own reads are not accesses. */
const NOT_ACCESSES = new Set(['audit-log-read', 'break-glass-review']);

/** Whether an event is an access to the record (a transaction), not a decision or an audit read. */
export function isRecordAccess(event: AuditEvent): boolean {
  if (event.type.code === '110113') return false;
  return !(event.subtype ?? []).some((c) => c.code !== undefined && NOT_ACCESSES.has(c.code));
}

/**
 * Per-day counts of the accesses between `from` and `to`: a success is an access, anything else a
 * refusal (minor failure: refused by the rules; serious failure). Decision records are left out
 * (each access has one beside it). Days without events count 0.
 */
export function countPerDay(events: readonly AuditEvent[], from: string, to: string): DayCount[] {
  const counts = new Map(
    daysBetween(from, to).map((day) => [day, { day, accesses: 0, refusals: 0 }]),
  );
  for (const event of events) {
    if (!isRecordAccess(event)) continue;
    const count = counts.get(parisDay(event.recorded));
    if (!count) continue;
    if (event.outcome === undefined || event.outcome === '0') count.accesses += 1;
    else count.refusals += 1;
  }
  return [...counts.values()];
}

/** The height scale of the chart: the largest day, at least 1. */
export function chartMaximum(counts: readonly DayCount[]): number {
  return Math.max(1, ...counts.map((c) => Math.max(c.accesses, c.refusals)));
}
