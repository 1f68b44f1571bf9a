import type { AuditEvent } from 'fhir/r4';
import type { Fault } from '@dmp/errors';

/**
 * The few BALP essentials every stored AuditEvent needs beyond the R4 schema: a coded `type`,
 * `recorded`, at least one agent with `who`, and `source.observer`. (The R4 schema already makes
 * `type`, `recorded`, `agent` and `source` required; BALP adds `who` and `observer`.)
 */
export function balpFaults(event: AuditEvent, root = 'AuditEvent'): Fault[] {
  const faults: Fault[] = [];
  const fault = (expression: string, message: string) =>
    faults.push({ code: 'DMP-AUDIT-EVENT-INVALID', message, expression: `${root}.${expression}` });
  if (!event.type?.code) fault('type', 'AuditEvent.type needs a code');
  if (!event.recorded) fault('recorded', 'AuditEvent.recorded is required');
  if (!(event.agent ?? []).some((agent) => hasWho(agent.who))) {
    fault('agent', 'At least one agent must identify who acted (agent.who)');
  }
  if (!hasWho(event.source?.observer)) fault('source.observer', 'source.observer is required');
  return faults;
}

function hasWho(
  who: { reference?: string; identifier?: { value?: string }; display?: string } | undefined,
): boolean {
  return Boolean(who?.reference ?? who?.identifier?.value ?? who?.display);
}
