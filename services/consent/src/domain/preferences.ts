/**
 * A patient's own choices about their DMP (SPEC C.1, C.2, C.3.6, C.4), independent of FHIR:
 * the codec in `consent-codec.ts` turns them into the one DMP Consent and back.
 */

/** A validity window; ISO 8601 dates or instants, both ends optional. */
export interface Period {
  start?: string;
  end?: string;
}

export interface AuthorizedProfessional {
  /** idNat_PS. */
  professional: string;
  period?: Period;
}

export interface PatientPreferences {
  /** Professionals the patient authorized to consult (C1.2 explicit consent, C4.1). */
  authorized: AuthorizedProfessional[];
  /** Professionals the patient blocked: never any access (C1.7, C4.2). */
  blocked: string[];
  /** Objection to emergency access: blocks break-glass and centre 15 (C2.1, C2.8). */
  emergencyOpposition: boolean;
  /** idNat_PS of the médecin traitant (C1.5). */
  attendingPhysician?: string;
  /** "Médecin traitant DMP" delegates: same rights as the médecin traitant (C1.5, C3.2). */
  delegates: string[];
  /** Hide everything from every professional, emergencies included (C3.6). */
  hideEverything: boolean;
}

export const NO_PREFERENCES: PatientPreferences = Object.freeze({
  authorized: [],
  blocked: [],
  emergencyOpposition: false,
  delegates: [],
  hideEverything: false,
});

export type PreferenceChange =
  | { kind: 'authorize'; professional: string; period?: Period }
  | { kind: 'revoke'; professional: string }
  | { kind: 'block'; professional: string }
  | { kind: 'unblock'; professional: string }
  | { kind: 'emergency-opposition'; value: boolean }
  | { kind: 'attending-physician'; professional?: string }
  | { kind: 'add-delegate'; professional: string }
  | { kind: 'remove-delegate'; professional: string }
  | { kind: 'hide-everything'; value: boolean };

export type ChangeKind = PreferenceChange['kind'];

/** One reason why a change request cannot be applied; `index` is the change's position. */
export interface ChangeProblem {
  index: number;
  message: string;
}

export type ChangeResult =
  { ok: true; preferences: PatientPreferences } | { ok: false; problems: ChangeProblem[] };

const OPPOSITES: Partial<Record<ChangeKind, ChangeKind>> = {
  authorize: 'revoke',
  revoke: 'authorize',
  block: 'unblock',
  unblock: 'block',
  'add-delegate': 'remove-delegate',
  'remove-delegate': 'add-delegate',
};

function targetOf(change: PreferenceChange): string | undefined {
  return 'professional' in change ? change.professional : undefined;
}

/** Changes inside one request that cancel each other out (C4: "a change that contradicts itself"). */
function selfContradictions(changes: readonly PreferenceChange[]): ChangeProblem[] {
  const problems: ChangeProblem[] = [];
  const toggles = new Map<ChangeKind, boolean>();
  const seen = new Map<string, ChangeKind>();
  changes.forEach((change, index) => {
    if (change.kind === 'emergency-opposition' || change.kind === 'hide-everything') {
      const before = toggles.get(change.kind);
      if (before !== undefined && before !== change.value) {
        problems.push({ index, message: `${change.kind} is set both to true and to false` });
      }
      toggles.set(change.kind, change.value);
      return;
    }
    const target = targetOf(change);
    if (target === undefined) return;
    const opposite = OPPOSITES[change.kind];
    if (opposite !== undefined && seen.get(`${opposite}:${target}`) !== undefined) {
      problems.push({
        index,
        message: `${change.kind} and ${opposite} name the same professional`,
      });
    }
    seen.set(`${change.kind}:${target}`, change.kind);
  });
  return problems;
}

function checkPeriod(period: Period | undefined): string | undefined {
  if (!period) return undefined;
  const start = period.start === undefined ? undefined : Date.parse(period.start);
  const end = period.end === undefined ? undefined : Date.parse(period.end);
  if (Number.isNaN(start) || Number.isNaN(end)) return 'the period has an invalid date';
  if (start !== undefined && end !== undefined && end < start) {
    return 'the period ends before it starts';
  }
  return undefined;
}

function without(list: readonly string[], value: string): string[] {
  return list.filter((item) => item !== value);
}

function apply(preferences: PatientPreferences, change: PreferenceChange): PatientPreferences {
  switch (change.kind) {
    case 'authorize': {
      const others = preferences.authorized.filter((a) => a.professional !== change.professional);
      const entry: AuthorizedProfessional = { professional: change.professional };
      if (change.period) entry.period = change.period;
      return { ...preferences, authorized: [...others, entry] };
    }
    case 'revoke':
      return {
        ...preferences,
        authorized: preferences.authorized.filter((a) => a.professional !== change.professional),
      };
    case 'block':
      return {
        ...preferences,
        blocked: [...without(preferences.blocked, change.professional), change.professional],
      };
    case 'unblock':
      return { ...preferences, blocked: without(preferences.blocked, change.professional) };
    case 'emergency-opposition':
      return { ...preferences, emergencyOpposition: change.value };
    case 'hide-everything':
      return { ...preferences, hideEverything: change.value };
    case 'attending-physician':
      return { ...preferences, attendingPhysician: change.professional };
    case 'add-delegate':
      return {
        ...preferences,
        delegates: [...without(preferences.delegates, change.professional), change.professional],
      };
    case 'remove-delegate':
      return { ...preferences, delegates: without(preferences.delegates, change.professional) };
  }
}

/** A blocked professional cannot also be trusted (C1.7: blocking beats every authorization). */
function stateContradictions(preferences: PatientPreferences): string[] {
  const problems: string[] = [];
  for (const blocked of preferences.blocked) {
    if (preferences.authorized.some((a) => a.professional === blocked)) {
      problems.push('a blocked professional cannot be authorized; unblock them first');
    }
    if (preferences.attendingPhysician === blocked) {
      problems.push('the médecin traitant cannot be blocked');
    }
    if (preferences.delegates.includes(blocked)) {
      problems.push('a médecin traitant DMP delegate cannot be blocked');
    }
  }
  return problems;
}

/**
 * Applies a change request atomically: either every change applies and the result is
 * consistent, or nothing applies and the problems are listed.
 */
export function applyChanges(
  preferences: PatientPreferences,
  changes: readonly PreferenceChange[],
): ChangeResult {
  if (changes.length === 0) return { ok: false, problems: [{ index: 0, message: 'no change' }] };
  const problems = selfContradictions(changes);
  changes.forEach((change, index) => {
    const periodProblem = change.kind === 'authorize' ? checkPeriod(change.period) : undefined;
    if (periodProblem) problems.push({ index, message: periodProblem });
  });
  if (problems.length > 0) return { ok: false, problems };
  const next = changes.reduce(apply, preferences);
  const conflicts = stateContradictions(next);
  if (conflicts.length > 0) {
    return {
      ok: false,
      problems: [...new Set(conflicts)].map((message) => ({ index: -1, message })),
    };
  }
  return { ok: true, preferences: next };
}

/**
 * What a professional may change on the patient's behalf (policy, SPEC C1.2, C1.3): record a
 * consent collected from the patient (authorize a professional), and declare themselves as
 * médecin traitant. Blocking, opposition, delegates and hiding stay with the patient.
 */
export function professionalMayApply(change: PreferenceChange, professionalId: string): boolean {
  if (change.kind === 'authorize') return true;
  if (change.kind === 'attending-physician') return change.professional === professionalId;
  return false;
}

/** Is this authorization in force at `now`? */
export function isAuthorizationActive(entry: AuthorizedProfessional, now: Date): boolean {
  const time = now.getTime();
  if (entry.period?.start !== undefined && Date.parse(entry.period.start) > time) return false;
  if (entry.period?.end !== undefined && endOf(entry.period.end) <= time) return false;
  return true;
}

/**
 * The next instant after `now` at which this authorization comes into force or ends (a
 * decision resting on it may change then), or undefined when its period has no such instant.
 */
export function nextAuthorizationChange(
  entry: AuthorizedProfessional,
  now: Date,
): number | undefined {
  const time = now.getTime();
  const start = entry.period?.start === undefined ? undefined : Date.parse(entry.period.start);
  const end = entry.period?.end === undefined ? undefined : endOf(entry.period.end);
  const later = [start, end].filter((t): t is number => t !== undefined && t > time);
  return later.length > 0 ? Math.min(...later) : undefined;
}

/** A date-only end (`2026-12-31`) covers that whole day. */
function endOf(value: string): number {
  const parsed = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? parsed + 86_400_000 : parsed;
}
