import { claims, INS_A, INS_B, ORG_A, ORG_B, PS, type DocumentState } from './world';

/**
 * Who attacks the record, and what the law and the patient let each one see. This table is the
 * specification the permission matrix checks the product against; each line says why.
 */
export const ACTORS = {
  /** The holder: everything but what awaits an announcement (C3.4). */
  patientA: claims.patient(INS_A),
  /** Another patient: only their own record. */
  patientB: claims.patient(INS_B),
  /** Care team, attested (C1.2): not what the patient masked (C3.1). */
  careTeam: claims.practitioner(PS.careTeam, { attestation: 'care_team' }),
  /** Authorized by patient A (C1.1), no attestation: A's record but masked documents. */
  authorized: claims.practitioner(PS.authorized),
  /** Blocked by A (C1.7), attested: nothing of A, B's record like any care team. */
  blocked: claims.practitioner(PS.blocked, { attestation: 'care_team' }),
  /** No basis at all (C1.2): nothing. */
  stranger: claims.practitioner(PS.stranger),
  /** The author of A's and H's documents, attested: sees them masked too (C3.1), not H's (C3.6). */
  author: claims.practitioner(PS.author, { attestation: 'care_team' }, ORG_A),
  /** A's médecin traitant (C1.5): everything of A, masked included; nothing else. */
  attending: claims.practitioner(PS.attending),
  /** Software of the authors' establishment (another client): its documents only (TD3.1b). */
  authorStructure: claims.system('chu-a-2', ORG_A),
  /** The hospital software that submitted A's and H's documents: those only. */
  submittingHospital: claims.system('chu-a', ORG_A),
  /** Another hospital's software, which submitted B's document: that one only. */
  otherHospital: claims.system('chu-b', ORG_B),
  /** Break-glass (C2.1): what is not masked (C2.7) nor hidden from all (C3.6); reads only. */
  breakGlass: claims.practitioner(PS.emergency, {
    access_mode: 'bris_de_glace',
    access_reason: 'Patient inconscient aux urgences',
  }),
  /** Centre 15 (C2.2): as break-glass. */
  centre15: claims.practitioner(PS.regulator, {
    access_mode: 'centre_15',
    attestation: 'regulation',
  }),
  /** Auditors read traces, never documents. */
  auditor: claims.auditor(),
  /** The documents service's own identity: a service, not a reader of documents. */
  documentsService: claims.system('dmp-documents'),
} as const;
export type ActorName = keyof typeof ACTORS;
export const ACTOR_NAMES = Object.keys(ACTORS) as ActorName[];

const A_STATES: DocumentState[] = [
  'plain',
  'masked',
  'invisibleRecent',
  'invisibleOld',
  'archived',
  'enteredInError',
  'superseded',
];
const without = (states: DocumentState[], ...left: DocumentState[]) =>
  states.filter((s) => !left.includes(s));

/** Which documents each actor may see (read, vread, history, Binary, and find). */
export const VISIBLE: Readonly<Record<ActorName, readonly DocumentState[]>> = {
  patientA: without(A_STATES, 'invisibleRecent'),
  patientB: ['otherPatient'],
  careTeam: [...without(A_STATES, 'masked'), 'otherPatient'],
  authorized: without(A_STATES, 'masked'),
  blocked: ['otherPatient'],
  stranger: [],
  author: [...A_STATES, 'otherPatient'],
  attending: A_STATES,
  authorStructure: [...A_STATES, 'hideAll'],
  submittingHospital: [...A_STATES, 'hideAll'],
  otherHospital: ['otherPatient'],
  breakGlass: [...without(A_STATES, 'masked'), 'otherPatient'],
  centre15: [...without(A_STATES, 'masked'), 'otherPatient'],
  auditor: [],
  documentsService: [],
};

export function sees(actor: ActorName, state: DocumentState): boolean {
  return VISIBLE[actor].includes(state);
}

/** Who is on the author's side of A's documents (may delete, replace, archive them). */
export const AUTHOR_SIDE: readonly ActorName[] = [
  'author',
  'authorStructure',
  'submittingHospital',
];

/** Who may not add to A's record at all (C1.7, C1.8, C2: emergency modes only read). */
export const CANNOT_FEED_A: readonly ActorName[] = [
  'patientB',
  'blocked',
  'stranger',
  'breakGlass',
  'centre15',
  'auditor',
];

/** Who may not search A's record at all (a refused search, 403). */
export const CANNOT_SEARCH_A: readonly ActorName[] = ['patientB', 'blocked', 'stranger', 'auditor'];

export const SYSTEMS: readonly ActorName[] = [
  'authorStructure',
  'submittingHospital',
  'otherHospital',
  'documentsService',
];
export const PROFESSIONALS: readonly ActorName[] = [
  'careTeam',
  'authorized',
  'blocked',
  'stranger',
  'author',
  'attending',
  'breakGlass',
  'centre15',
];
