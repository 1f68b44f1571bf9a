import type { Consent, ConsentProvision, Reference } from 'fhir/r4';
import type { PatientPreferences, Period } from './preferences';
import {
  ACT_REASON_SYSTEM,
  CONSENT_SCOPE_SYSTEM,
  DMP_CONSENT_CODES,
  DMP_CONSENT_IDENTIFIER,
  DMP_POLICY_URI,
  IDNAT_PS_SYSTEM,
  LOINC_SYSTEM,
  MASKED_FROM_PROFESSIONALS,
  PARTICIPATION_TYPE_SYSTEM,
  ROLE_CODE_SYSTEM,
  VISIBILITY_SYSTEM,
} from './vocabulary';

/**
 * The one current DMP Consent of a patient (SPEC E.3), scope `patient-privacy`: a base permit
 * (the DMP rules apply) with nested provisions, one per patient choice:
 * - authorized professional: `permit`, actor role IRCP, optional `period`;
 * - médecin traitant: `permit`, actor role PCP, securityLabel `MASQUE_PS` (sees masked data);
 * - "médecin traitant DMP" delegate: same, actor role `MTDMP` of our code system;
 * - blocked professional: `deny`, actor role IRCP, no purpose, no period;
 * - emergency opposition: `deny`, purpose ETREAT + BTG;
 * - hide everything: `deny` with no actor and no purpose.
 * Professionals are `Practitioner/<idNat_PS>` references carrying the idNat_PS identifier.
 */

const IRCP = { system: PARTICIPATION_TYPE_SYSTEM, code: 'IRCP' };
const PCP = { system: ROLE_CODE_SYSTEM, code: 'PCP' };
const MTDMP = { system: DMP_CONSENT_CODES, code: 'MTDMP' };
const EMERGENCY_PURPOSES = [
  { system: ACT_REASON_SYSTEM, code: 'ETREAT' },
  { system: ACT_REASON_SYSTEM, code: 'BTG' },
];

export interface ConsentContext {
  ins: string;
  insSystem: string;
  patientId: string;
  /** When this version was decided. */
  dateTime: string;
  /** Who made the change (Patient or Practitioner reference). */
  performer: Reference;
}

export function professionalReference(idNat: string): Reference {
  return {
    reference: `Practitioner/${idNat}`,
    identifier: { system: IDNAT_PS_SYSTEM, value: idNat },
  };
}

function professionalOf(reference: Reference | undefined): string | undefined {
  return reference?.identifier?.value ?? reference?.reference?.replace(/^Practitioner\//, '');
}

function actorProvision(
  type: 'permit' | 'deny',
  role: { system: string; code: string },
  idNat: string,
  period?: Period,
): ConsentProvision {
  return {
    type,
    actor: [{ role: { coding: [role] }, reference: professionalReference(idNat) }],
    ...(period ? { period } : {}),
    ...(role !== IRCP
      ? { securityLabel: [{ system: VISIBILITY_SYSTEM, code: MASKED_FROM_PROFESSIONALS }] }
      : {}),
  };
}

export function buildDmpConsent(preferences: PatientPreferences, context: ConsentContext): Consent {
  const nested: ConsentProvision[] = [
    ...preferences.authorized.map((a) => actorProvision('permit', IRCP, a.professional, a.period)),
    ...(preferences.attendingPhysician
      ? [actorProvision('permit', PCP, preferences.attendingPhysician)]
      : []),
    ...preferences.delegates.map((d) => actorProvision('permit', MTDMP, d)),
    ...preferences.blocked.map((b) => actorProvision('deny', IRCP, b)),
    ...(preferences.emergencyOpposition
      ? [{ type: 'deny' as const, purpose: EMERGENCY_PURPOSES }]
      : []),
    ...(preferences.hideEverything ? [{ type: 'deny' as const }] : []),
  ];
  return {
    resourceType: 'Consent',
    identifier: [{ system: DMP_CONSENT_IDENTIFIER, value: context.ins }],
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [
      { coding: [{ system: LOINC_SYSTEM, code: '59284-0', display: 'Patient Consent' }] },
      { coding: [{ system: DMP_CONSENT_CODES, code: 'dmp-consent' }] },
    ],
    patient: {
      reference: `Patient/${context.patientId}`,
      identifier: { system: context.insSystem, value: context.ins },
    },
    dateTime: context.dateTime,
    performer: [context.performer],
    policy: [{ uri: DMP_POLICY_URI }],
    provision: { type: 'permit', ...(nested.length > 0 ? { provision: nested } : {}) },
  };
}

function roleOf(provision: ConsentProvision): string | undefined {
  return provision.actor?.[0]?.role.coding?.[0]?.code;
}

/** Reads the patient choices back from a DMP Consent built by {@link buildDmpConsent}. */
export function preferencesOf(consent: Consent): PatientPreferences {
  const preferences: PatientPreferences = {
    authorized: [],
    blocked: [],
    emergencyOpposition: false,
    delegates: [],
    hideEverything: false,
  };
  for (const provision of consent.provision?.provision ?? []) {
    const professional = professionalOf(provision.actor?.[0]?.reference);
    const role = roleOf(provision);
    if (provision.type === 'deny') {
      if (professional !== undefined) preferences.blocked.push(professional);
      else if (provision.purpose?.length) preferences.emergencyOpposition = true;
      else preferences.hideEverything = true;
    } else if (professional !== undefined) {
      if (role === PCP.code) preferences.attendingPhysician = professional;
      else if (role === MTDMP.code) preferences.delegates.push(professional);
      else {
        const period = provision.period;
        preferences.authorized.push(
          period ? { professional, period: { ...period } } : { professional },
        );
      }
    }
  }
  return preferences;
}
