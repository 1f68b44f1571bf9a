import type { Decision, DecisionInput } from './decision';
import { nextAuthorizationChange } from './preferences';

/**
 * May an enforcement point that follows the change feed reuse this permit, and for how long?
 * Every change of the patient's DMP (state, consent) and of the policy is announced on the feed;
 * what the feed cannot announce is time. So a permit is reusable only when it is a normal-mode
 * permit (never a denial, never break-glass or centre 15: those are decided, recorded and
 * notified each time) whose obligations do not depend on the instant of the decision (the
 * holder's `INVISIBLE_PATIENT` cut-off moves with the clock), and no longer than until the
 * professional's authorization by the patient comes into force or ends.
 */
export interface PermitReuse {
  /** The permit may not be reused beyond this many milliseconds after `input.now`. */
  withinMs?: number;
}

export function permitReuse(input: DecisionInput, decision: Decision): PermitReuse | undefined {
  const obligations = decision.obligations;
  if (!decision.permit || !obligations) return undefined;
  if (input.subject.accessMode !== 'normal' || obligations.auditAs !== 'normal') return undefined;
  if (obligations.emergency !== undefined || obligations.notifyPatient) return undefined;
  if (obligations.invisiblePatientCutoff !== undefined) return undefined;
  if (input.subject.kind !== 'practitioner') return {};
  const authorization = input.dmp.preferences.authorized.find(
    (a) => a.professional === input.subject.id,
  );
  const change = authorization ? nextAuthorizationChange(authorization, input.now) : undefined;
  return change === undefined ? {} : { withinMs: change - input.now.getTime() };
}
