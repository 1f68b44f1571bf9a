/** What the development sign-in sends (`POST /api/sign-in/dev`). */
export interface DevActor {
  kind: 'auditor' | 'patient' | 'practitioner';
  ins?: string;
  professional?: string;
  name?: string;
  profession?: string;
  attestation?: 'care_team' | 'consent' | 'none';
  mode?: 'normal' | 'bris_de_glace' | 'centre_15';
  reason?: string;
}

export interface DevActorPreset {
  id: string;
  label: string;
  description: string;
  actor: DevActor;
}

/** The first patient `npm run seed` creates (the token CLI's default patient). */
export const SEEDED_PATIENT_INS = '255081416802538';

/** The actors of the README walkthrough (`npm run seed`), one click away in development. */
export const DEV_ACTOR_PRESETS: readonly DevActorPreset[] = [
  {
    id: 'auditor',
    label: 'Auditeur DMP',
    description: 'Recherche dans la trace, revue des bris de glace, intégrité de la chaîne.',
    actor: { kind: 'auditor', name: 'Auditeur DMP (dev)' },
  },
  {
    id: 'patient',
    label: `Patient ${SEEDED_PATIENT_INS}`,
    description: 'Premier patient du jeu de démonstration : documents, historique, choix.',
    actor: { kind: 'patient', ins: SEEDED_PATIENT_INS, name: 'Patient de démonstration' },
  },
  {
    id: 'care-team',
    label: 'Dr Camille Martin (810000000001)',
    description: 'Médecin de l’équipe de soins (attestation équipe de soins).',
    actor: {
      kind: 'practitioner',
      professional: '810000000001',
      name: 'Dr Camille Martin',
      profession: '10',
      attestation: 'care_team',
    },
  },
  {
    id: 'blocked',
    label: 'Dr Paul Bloqué (810000000666)',
    description: 'Bloqué par le premier patient : ses recherches sont refusées.',
    actor: {
      kind: 'practitioner',
      professional: '810000000666',
      name: 'Dr Paul Bloqué',
      profession: '10',
      attestation: 'care_team',
    },
  },
  {
    id: 'emergency',
    label: 'Dr Urgence (810000000077), bris de glace',
    description: 'Médecin urgentiste en mode bris de glace, avec une justification.',
    actor: {
      kind: 'practitioner',
      professional: '810000000077',
      name: 'Dr Urgence',
      profession: '10',
      mode: 'bris_de_glace',
      reason: 'Patient inconscient aux urgences',
    },
  },
];
