import type { Consent, ConsentProvision, Parameters, ParametersParameter } from 'fhir/r4';
import { INS_SYSTEM } from './fhir-paths';

/** The patient's current choices, read from their DMP Consent (consent service). */
export interface PatientChoices {
  authorized: { professional: string; end?: string }[];
  blocked: string[];
  emergencyOpposition: boolean;
  hideEverything: boolean;
  attendingPhysician?: string;
  /** `W/"<version>"`, for If-Match. */
  version?: string;
}

export const DEFAULT_CHOICES: PatientChoices = {
  authorized: [],
  blocked: [],
  emergencyOpposition: false,
  hideEverything: false,
};

function professionalOf(provision: ConsentProvision): string | undefined {
  const reference = provision.actor?.[0]?.reference;
  return reference?.identifier?.value ?? reference?.reference?.replace(/^Practitioner\//, '');
}

function roleOf(provision: ConsentProvision): string | undefined {
  return provision.actor?.[0]?.role.coding?.[0]?.code;
}

/** Reads the choices back from the DMP Consent (see the consent service's consent codec). */
export function choicesOf(consent: Consent | undefined): PatientChoices {
  if (!consent) return DEFAULT_CHOICES;
  const choices: PatientChoices = {
    authorized: [],
    blocked: [],
    emergencyOpposition: false,
    hideEverything: false,
    ...(consent.meta?.versionId ? { version: `W/"${consent.meta.versionId}"` } : {}),
  };
  for (const provision of consent.provision?.provision ?? []) {
    const professional = professionalOf(provision);
    const role = roleOf(provision);
    if (provision.type === 'permit' && professional && role === 'IRCP') {
      choices.authorized.push({
        professional,
        ...(provision.period?.end ? { end: provision.period.end } : {}),
      });
    } else if (provision.type === 'permit' && professional && role === 'PCP') {
      choices.attendingPhysician = professional;
    } else if (provision.type === 'deny' && professional) {
      choices.blocked.push(professional);
    } else if (provision.type === 'deny' && (provision.purpose?.length ?? 0) > 0) {
      choices.emergencyOpposition = true;
    } else if (provision.type === 'deny' && !provision.actor && !provision.purpose) {
      choices.hideEverything = true;
    }
  }
  return choices;
}

/** One change of `Consent/$dmp-change`, as the patient asks for it. */
export type ChoiceChange =
  | { type: 'authorize'; professional: string; end?: string }
  | { type: 'revoke' | 'block' | 'unblock'; professional: string }
  | { type: 'emergency-opposition' | 'hide-everything'; value: boolean };

/** The `Parameters` of `POST Consent/$dmp-change` for this patient and change. */
export function changeParameters(ins: string, change: ChoiceChange): Parameters {
  const part: ParametersParameter[] = [{ name: 'type', valueCode: change.type }];
  if ('professional' in change)
    part.push({ name: 'professional', valueString: change.professional });
  if (change.type === 'authorize' && change.end) {
    part.push({ name: 'period', valuePeriod: { end: change.end } });
  }
  if ('value' in change) part.push({ name: 'value', valueBoolean: change.value });
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: ins } },
      { name: 'change', part },
    ],
  };
}

/**
 * The DMP's warning before a change, where the law gives one (SPEC C.1–C.4), in the patient's
 * words; undefined when the change needs none.
 */
export function warningFor(change: ChoiceChange, current: PatientChoices): string | undefined {
  switch (change.type) {
    case 'block':
      return current.authorized.some((a) => a.professional === change.professional)
        ? 'Ce professionnel est autorisé : le blocage l’emporte sur l’autorisation. Il ne pourra plus accéder à votre DMP, même en cas d’urgence.'
        : 'Un professionnel bloqué ne peut plus accéder à votre DMP, même en cas d’urgence, tant que vous ne le débloquez pas.';
    case 'authorize':
      return current.blocked.includes(change.professional)
        ? 'Ce professionnel est bloqué : le blocage l’emporte sur l’autorisation tant que vous ne le débloquez pas.'
        : undefined;
    case 'hide-everything':
      return change.value
        ? 'Masquer tout votre DMP le rend invisible à tous les professionnels, y compris en cas d’urgence (bris de glace, centre 15) et à votre médecin traitant. Vos documents restent conservés.'
        : undefined;
    case 'emergency-opposition':
      return change.value
        ? 'En vous opposant à l’accès en urgence, aucun professionnel ne pourra consulter votre DMP en mode bris de glace ni le médecin régulateur du centre 15, même si votre vie est en danger.'
        : undefined;
    case 'revoke':
    case 'unblock':
      return undefined;
  }
}

/** Why masking a document does not hide it from everyone (SPEC C.3). */
export const MASK_NOTICE =
  'Un document masqué n’est plus visible des professionnels qui vous soignent, sauf de son auteur et de votre médecin traitant. Vous le voyez toujours.';
