import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from 'fhir/r4';

/** One AuditEvent told in French: who, what, which document, from where, why. */
export interface AuditEventView {
  id: string;
  when: string;
  who: string;
  /** idNat_PS, INS or client id of the person who acted. */
  whoId?: string;
  profession?: string;
  action: string;
  transaction?: string;
  outcome: 'success' | 'refused' | 'failed';
  outcomeText: string;
  /** Why it failed, as the service recorded it. */
  outcomeDetail?: string;
  patient?: string;
  documents: string[];
  /** The calling software and the server that recorded it. */
  from: string;
  why: string;
  breakGlass: boolean;
  /** Break-glass justification. */
  reason?: string;
}

const IHE_EVENT = 'urn:ihe:event-type-code';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

const ACTIONS: Record<string, string> = {
  C: 'Création',
  R: 'Consultation',
  U: 'Modification',
  D: 'Suppression',
  E: 'Recherche',
};

const TRANSACTIONS: Record<string, string> = {
  'ITI-65': 'ITI-65 · dépôt de documents',
  'ITI-66': 'ITI-66 · recherche de lots',
  'ITI-67': 'ITI-67 · recherche de documents',
  'ITI-68': 'ITI-68 · lecture d’un document',
  'ITI-105': 'ITI-105 · publication simplifiée',
  'DMP-TD3.3': 'Mise à jour des métadonnées (PDSm)',
  'audit-log-read': 'Lecture de la trace',
  'break-glass-review': 'Revue d’un bris de glace',
};

const PURPOSES: Record<string, string> = {
  TREAT: 'Soins',
  ETREAT: 'Soins en urgence',
  BTG: 'Bris de glace',
  HOPERAT: 'Fonctionnement de l’établissement',
  PATRQT: 'Demande du patient',
  normal: 'Accès normal',
  bris_de_glace: 'Mode bris de glace',
  centre_15: 'Régulation (centre 15)',
};

const PROFESSIONS: Record<string, string> = {
  '10': 'Médecin',
  '21': 'Pharmacien',
  '40': 'Chirurgien-dentiste',
  '50': 'Sage-femme',
  '60': 'Infirmier',
};

function codings(event: AuditEvent): Coding[] {
  return [
    ...(event.purposeOfEvent ?? []).flatMap((c) => c.coding ?? []),
    ...(event.agent ?? []).flatMap((a) => (a.purposeOfUse ?? []).flatMap((c) => c.coding ?? [])),
  ];
}

/** The person who acted: the requestor agent, else the first agent that names a person. */
function personOf(event: AuditEvent): AuditEventAgent | undefined {
  const agents = event.agent ?? [];
  return (
    agents.find((a) => a.requestor) ??
    agents.find((a) => a.type?.coding?.some((c) => c.system === PARTICIPATION))
  );
}

function softwareOf(event: AuditEvent): string | undefined {
  const person = personOf(event);
  return (event.agent ?? []).find((a) => a !== person && a.network === undefined && !a.requestor)
    ?.who?.display;
}

function isPatientEntity(entity: AuditEventEntity): boolean {
  return entity.role?.system === OBJECT_ROLE && entity.role.code === '1';
}

function isDocumentEntity(entity: AuditEventEntity): boolean {
  const ref = entity.what?.reference ?? '';
  return (
    (entity.role?.code === '3' || entity.role?.code === '4') &&
    /^(DocumentReference|Binary|List)\//.test(ref.replace(/^.*\/fhir\//, ''))
  );
}

function outcomeOf(event: AuditEvent): AuditEventView['outcome'] {
  if (event.outcome === undefined || event.outcome === '0') return 'success';
  return event.outcome === '4' ? 'refused' : 'failed';
}

const OUTCOME_TEXT: Record<AuditEventView['outcome'], string> = {
  success: 'Réussi',
  refused: 'Refusé',
  failed: 'Échec',
};

export function describeAuditEvent(event: AuditEvent): AuditEventView {
  const person = personOf(event);
  const purposes = codings(event);
  const codes = new Set(purposes.map((c) => c.code ?? ''));
  const breakGlass = codes.has('BTG') || codes.has('bris_de_glace');
  const transactionCode = (event.subtype ?? []).find(
    (c) => c.system === IHE_EVENT || (c.code !== undefined && c.code in TRANSACTIONS),
  )?.code;
  const professionCode = (person?.role ?? [])
    .flatMap((r) => r.coding ?? [])
    .find((c) => c.code !== undefined && /^\d+$/.test(c.code))?.code;
  const patient = (event.entity ?? []).find(isPatientEntity)?.what;
  const reason = (event.entity ?? [])
    .flatMap((e) => e.detail ?? [])
    .find((d) => d.type === 'reason')?.valueString;
  const whys = [...new Set(purposes.map((c) => PURPOSES[c.code ?? ''] ?? c.display ?? c.code))];
  const server = event.source?.observer?.display;
  const software = softwareOf(event);
  const outcome = outcomeOf(event);
  const profession = professionCode
    ? (PROFESSIONS[professionCode] ?? `Profession ${professionCode}`)
    : undefined;
  const whoId = person?.who?.identifier?.value;
  return {
    id: event.id ?? '',
    when: event.recorded,
    who: person?.name ?? person?.who?.display ?? whoId ?? 'Inconnu',
    ...(whoId ? { whoId } : {}),
    ...(profession ? { profession } : {}),
    action: ACTIONS[event.action ?? ''] ?? 'Autre',
    ...(transactionCode ? { transaction: TRANSACTIONS[transactionCode] ?? transactionCode } : {}),
    outcome,
    outcomeText: OUTCOME_TEXT[outcome],
    ...(event.outcomeDesc ? { outcomeDetail: event.outcomeDesc } : {}),
    ...(patient
      ? { patient: patient.identifier?.value ?? patient.display ?? patient.reference ?? '' }
      : {}),
    documents: (event.entity ?? [])
      .filter(isDocumentEntity)
      .map((e) => (e.what?.reference ?? '').replace(/^.*\/fhir\//, '')),
    from:
      [software && `logiciel ${software}`, server && `enregistré par ${server}`]
        .filter(Boolean)
        .join(', ') || 'Non précisé',
    why: whys.length > 0 ? whys.join(', ') : 'Non précisé',
    breakGlass,
    ...(reason ? { reason } : {}),
  };
}

/** A date-time in French (Europe/Paris), to the second. */
export function formatDateTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'short',
    timeStyle: 'medium',
  });
}

/** A date in French (Europe/Paris). */
export function formatDate(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });
}
