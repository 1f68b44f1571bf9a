import type { AuditEvent, AuditEventAgent, Coding, ParametersParameter } from 'fhir/r4';
import { accessHowOf } from './access-how';
import { recordChangeOf } from './record-change';
import { DMP_AUDIT_SUBTYPE, OBJECT_ROLE, PROFESSION_SYSTEM, type AccessHow } from './vocabulary';

export type HistoryWhat =
  | 'consulted'
  | 'searched'
  | 'added'
  | 'replaced'
  | 'masked'
  | 'unmasked'
  | 'archived'
  | 'deleted'
  | 'consent-changed'
  | 'dmp-changed'
  | 'other';

/**
 * One line of the patient's access history (SPEC D.6): no IP, no client id, no raw query. `who` is
 * `vous` when the patient acted themself (e.g. changed their consent).
 */
export interface HistoryLine {
  when: string;
  who?: string;
  profession?: string;
  organization?: string;
  what: HistoryWhat;
  /** For `consent-changed` and `dmp-changed`: what changed, e.g. `blocked professional 8100…`. */
  change?: string;
  document?: string;
  how: AccessHow;
  /** Break-glass and centre 15 accesses are highlighted. */
  highlighted: boolean;
}

const LOCAL_WHAT = new Set<string>(['masked', 'unmasked', 'archived', 'replaced', 'deleted']);

/** BALP `AuthZconsent` events: how an access was decided (DICOM 110113 Security Alert). */
const AUTHORIZATION_DECISION = '110113';

/**
 * Failed or denied attempts are for auditors; the patient view shows what happened. An access
 * decision is not an access: the access it allowed has its own event, so decisions are left out.
 */
export function isShownToPatient(event: AuditEvent): boolean {
  if (event.type.code === AUTHORIZATION_DECISION) return false;
  return event.outcome === undefined || event.outcome === '0';
}

/** What the holder reads when they acted themself. */
export const THE_HOLDER = 'vous';

export function historyLineOf(event: AuditEvent): HistoryLine {
  const person = humanAgent(event.agent ?? []);
  const organization = (event.agent ?? []).find(isOrganization);
  const how = accessHowOf(event);
  const recordChange = recordChangeOf(event);
  const line: HistoryLine = {
    when: event.recorded,
    what: recordChange?.what ?? whatOf(event),
    how,
    highlighted: how !== 'normal',
  };
  if (recordChange?.change) line.change = recordChange.change;
  const who = isHolder(person, event) ? THE_HOLDER : (person?.name ?? person?.who?.display);
  if (who) line.who = who;
  const profession = professionOf(person);
  if (profession) line.profession = profession;
  const orgName = organization?.name ?? organization?.who?.display;
  if (orgName) line.organization = orgName;
  const document = (event.entity ?? []).find((e) =>
    e.role?.system === OBJECT_ROLE ? e.role.code === '3' || e.role.code === '4' : false,
  );
  const title = document?.name ?? document?.what?.display;
  if (title) line.document = title;
  return line;
}

/** FHIR `Parameters.parameter` form of a line (one `line` with parts). */
export function historyLineParameter(line: HistoryLine): ParametersParameter {
  const part: ParametersParameter[] = [{ name: 'when', valueDateTime: line.when }];
  if (line.who) part.push({ name: 'who', valueString: line.who });
  if (line.profession) part.push({ name: 'profession', valueString: line.profession });
  if (line.organization) part.push({ name: 'organization', valueString: line.organization });
  part.push({ name: 'what', valueCode: line.what });
  if (line.change) part.push({ name: 'change', valueString: line.change });
  if (line.document) part.push({ name: 'document', valueString: line.document });
  part.push({ name: 'how', valueCode: line.how });
  part.push({ name: 'highlighted', valueBoolean: line.highlighted });
  return { name: 'line', part };
}

function whatOf(event: AuditEvent): HistoryWhat {
  const local = (event.subtype ?? []).find(
    (c) => c.system === DMP_AUDIT_SUBTYPE && c.code !== undefined && LOCAL_WHAT.has(c.code),
  );
  if (local?.code) return local.code as HistoryWhat;
  switch (event.action) {
    case 'R':
      return 'consulted';
    case 'E':
      return 'searched';
    case 'C':
      return 'added';
    case 'U':
      return 'replaced';
    case 'D':
      return 'deleted';
    case undefined:
      return 'other';
  }
}

/** The person who acted: the requestor, else an agent that is a practitioner or the patient. */
function humanAgent(agents: AuditEventAgent[]): AuditEventAgent | undefined {
  return (
    agents.find((agent) => agent.requestor && !isOrganization(agent)) ??
    agents.find((agent) =>
      /^(Practitioner|PractitionerRole|Patient|RelatedPerson)\b/.test(typeOf(agent)),
    )
  );
}

/** Whether the person who acted is the patient the event is about (the holder of the DMP). */
function isHolder(person: AuditEventAgent | undefined, event: AuditEvent): boolean {
  const acting = person?.who?.identifier;
  if (!person || typeOf(person) !== 'Patient' || acting?.value === undefined) return false;
  return (event.entity ?? []).some(
    (entity) =>
      entity.role?.system === OBJECT_ROLE &&
      entity.role.code === '1' &&
      entity.what?.identifier?.value === acting.value,
  );
}

function isOrganization(agent: AuditEventAgent): boolean {
  return typeOf(agent) === 'Organization';
}

function typeOf(agent: AuditEventAgent): string {
  return agent.who?.type ?? agent.who?.reference?.split('/').slice(-2, -1)[0] ?? '';
}

function professionOf(agent: AuditEventAgent | undefined): string | undefined {
  const codings: Coding[] = (agent?.role ?? []).flatMap((role) => role.coding ?? []);
  const profession = codings.find((c) => c.system === PROFESSION_SYSTEM);
  return profession?.display ?? profession?.code;
}
