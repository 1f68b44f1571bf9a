import { EMPTY_POLICY, type AccessPolicy } from '../src/domain/access-policy';
import type { DocumentFacts, SubjectFacts } from '../src/domain/decision';
import type { PatientPreferences } from '../src/domain/preferences';
import type { ActionName } from '../src/domain/vocabulary';

/**
 * Every row of SPEC C.1–C.4 (plus C.6, C.7.1 and the precedence of E.6.1) as data:
 * [rule, behaviour, case, permit, reason code]. Run by the pure test of `decide` and, through
 * HTTP, by the decision endpoint's component test.
 */
export const INS = '279035121518989';
export const NOW = new Date('2026-07-15T10:00:00Z');
export const DR = '810000000001';
export const MT = '810000000002';
export const OTHER = '810000000003';

export const policy: AccessPolicy = {
  ...EMPTY_POLICY,
  version: 'test',
  matrix: {
    '10': { classes: '*', types: '*' },
    '80': { classes: ['42', '44'], types: ['11488-4'] },
    '60': { classes: ['42', '45'], types: [] },
  },
  breakGlass: { professions: ['10'], grantMinutes: 60 },
  regulation: { professions: ['10'] },
};

export const doctor: SubjectFacts = {
  kind: 'practitioner',
  id: DR,
  profession: '10',
  organizationId: 'ORG-A',
  accessMode: 'normal',
  attestation: 'care_team',
  legalRepresentative: false,
};
export const holder: SubjectFacts = {
  kind: 'patient',
  id: INS,
  patientIns: INS,
  accessMode: 'normal',
  legalRepresentative: false,
};
const report: DocumentFacts = {
  classCode: '10',
  typeCode: '11488-4',
  labels: ['N'],
  authorId: OTHER,
  authorOrganizationId: 'ORG-B',
  depositDate: '2026-01-01T00:00:00Z',
};
const masked: DocumentFacts = { ...report, labels: ['N', 'MASQUE_PS'] };
const recentInvisible: DocumentFacts = {
  ...report,
  labels: ['N', 'INVISIBLE_PATIENT'],
  depositDate: '2026-07-01T00:00:00Z',
};

export interface Case {
  subject?: Partial<SubjectFacts>;
  action?: ActionName;
  document?: DocumentFacts;
  preferences?: Partial<PatientPreferences>;
  state?: 'open' | 'closed' | 'none';
}

export const permitted = true;
export const denied = false;

export const table: [string, string, Case, boolean, string][] = [
  ['C1.1', 'a care-team professional reads', {}, permitted, 'CARE_TEAM'],
  ['C1.1', 'the same professional feeds', { action: 'create' }, permitted, 'CARE_TEAM'],
  [
    'C1.2',
    'a professional with collected consent reads',
    { subject: { attestation: 'consent' } },
    permitted,
    'EXPLICIT_CONSENT',
  ],
  [
    'C1.2',
    'a professional without attestation nor authorization is denied',
    { subject: { attestation: undefined } },
    denied,
    'NO_ATTESTATION',
  ],
  [
    'C1.3',
    'a professional authorized through the consent reads without attestation',
    { subject: { attestation: undefined }, preferences: { authorized: [{ professional: DR }] } },
    permitted,
    'PATIENT_AUTHORIZATION',
  ],
  [
    'C1.3',
    'an expired authorization no longer counts',
    {
      subject: { attestation: undefined },
      preferences: { authorized: [{ professional: DR, period: { end: '2026-06-30' } }] },
    },
    denied,
    'NO_ATTESTATION',
  ],
  [
    'C1.4',
    'the matrix excludes a class the profession may not see',
    { subject: { profession: '60' }, document: report },
    denied,
    'MATRIX_FORBIDS_DOCUMENT',
  ],
  [
    'C1.4',
    'the matrix allows a type listed for the profession',
    { subject: { profession: '80' }, document: report },
    permitted,
    'CARE_TEAM',
  ],
  [
    'C1.4',
    'a profession absent from the matrix sees nothing',
    { subject: { profession: '99' } },
    denied,
    'PROFESSION_NOT_IN_MATRIX',
  ],
  [
    'C1.5',
    'the médecin traitant reads masked documents',
    { subject: { id: MT }, preferences: { attendingPhysician: MT }, document: masked },
    permitted,
    'ATTENDING_PHYSICIAN',
  ],
  [
    'C1.5',
    'a "médecin traitant DMP" delegate reads masked documents',
    { preferences: { delegates: [DR] }, document: masked },
    permitted,
    'ATTENDING_PHYSICIAN_DELEGATE',
  ],
  [
    'C1.6',
    'an occupational physician needs express consent (no care-team presumption without attestation)',
    { subject: { attestation: undefined } },
    denied,
    'NO_ATTESTATION',
  ],
  [
    'C1.7',
    'a blocked professional is denied even when authorized',
    { preferences: { blocked: [DR] } },
    denied,
    'PROFESSIONAL_BLOCKED',
  ],
  [
    'C1.7',
    'a blocked professional cannot feed either',
    { action: 'create', preferences: { blocked: [DR] } },
    denied,
    'PROFESSIONAL_BLOCKED',
  ],
  [
    'C1.8',
    'feeding does not need a read authorization, only an attestation',
    { action: 'create', subject: { attestation: 'consent' } },
    permitted,
    'EXPLICIT_CONSENT',
  ],
  [
    'C1.8',
    'feeding without attestation nor authorization is denied',
    { action: 'create', subject: { attestation: undefined } },
    denied,
    'NO_ATTESTATION',
  ],
  [
    'C1.9',
    'the author deletes their document without authorization',
    { action: 'delete', subject: { id: OTHER, attestation: undefined }, document: report },
    permitted,
    'AUTHOR',
  ],
  [
    'C1.9',
    'another professional cannot delete it',
    { action: 'delete', document: report },
    denied,
    'ONLY_AUTHOR',
  ],
  [
    'C1.9',
    'delete without the document facts is denied',
    { action: 'delete' },
    denied,
    'DOCUMENT_REQUIRED',
  ],
  [
    'C1.11',
    'the LPS assertion is the attestation: regulation alone is not a consultation basis',
    { subject: { attestation: 'regulation' } },
    denied,
    'NO_ATTESTATION',
  ],
  [
    'C1.12',
    'a structure certificate cannot consult',
    { subject: { kind: 'system', id: 'lps', attestation: undefined } },
    denied,
    'SYSTEM_CANNOT_CONSULT',
  ],
  [
    'C1.12',
    'a structure certificate may feed',
    { action: 'create', subject: { kind: 'system', id: 'lps' } },
    permitted,
    'FEEDING',
  ],
  [
    'C2.1',
    'break-glass by an eligible profession with a reason',
    {
      subject: { accessMode: 'bris_de_glace', accessReason: 'unconscious', attestation: undefined },
    },
    permitted,
    'BREAK_GLASS',
  ],
  [
    'C2.2',
    'a regulating doctor in centre 15 mode',
    { subject: { accessMode: 'centre_15', attestation: 'regulation' } },
    permitted,
    'MEDICAL_REGULATION',
  ],
  [
    'C2.2',
    'centre 15 mode without the regulation attestation',
    { subject: { accessMode: 'centre_15' } },
    denied,
    'REGULATION_NOT_ALLOWED',
  ],
  [
    'C2.3',
    'emergency opposition refuses break-glass',
    {
      subject: { accessMode: 'bris_de_glace', accessReason: 'coma' },
      preferences: { emergencyOpposition: true },
    },
    denied,
    'EMERGENCY_ACCESS_OPPOSED',
  ],
  [
    'C2.4',
    'break-glass without a written reason',
    { subject: { accessMode: 'bris_de_glace', accessReason: ' ' } },
    denied,
    'BREAK_GLASS_REASON_MISSING',
  ],
  [
    'C2.5',
    'centre 15 needs no authorization nor care-team attestation',
    {
      subject: { accessMode: 'centre_15', attestation: 'regulation' },
      preferences: { authorized: [] },
    },
    permitted,
    'MEDICAL_REGULATION',
  ],
  [
    'C2.6',
    'a profession off the break-glass list cannot break glass',
    { subject: { profession: '60', accessMode: 'bris_de_glace', accessReason: 'x' } },
    denied,
    'BREAK_GLASS_NOT_ALLOWED',
  ],
  [
    'C2.6',
    'a system actor never breaks glass',
    { subject: { kind: 'system', accessMode: 'bris_de_glace', accessReason: 'x' } },
    denied,
    'EMERGENCY_NOT_FOR_SYSTEM',
  ],
  [
    'C2.7',
    'masked documents stay masked in break-glass',
    { subject: { accessMode: 'bris_de_glace', accessReason: 'x' }, document: masked },
    denied,
    'DOCUMENT_MASKED',
  ],
  [
    'C2.8',
    'emergency opposition refuses centre 15 too',
    {
      subject: { accessMode: 'centre_15', attestation: 'regulation' },
      preferences: { emergencyOpposition: true },
    },
    denied,
    'EMERGENCY_ACCESS_OPPOSED',
  ],
  [
    'C2.9',
    'opposition does not stop a normal-mode care-team read',
    { preferences: { emergencyOpposition: true } },
    permitted,
    'CARE_TEAM',
  ],
  [
    'C3.1',
    'a masked document is refused to a professional',
    { document: masked },
    denied,
    'DOCUMENT_MASKED',
  ],
  [
    'C3.1',
    'its author still sees it',
    { subject: { id: OTHER }, document: masked },
    permitted,
    'CARE_TEAM',
  ],
  [
    'C3.1',
    'the depositing establishment still sees it',
    { subject: { organizationId: 'ORG-B' }, document: masked },
    permitted,
    'CARE_TEAM',
  ],
  [
    'C3.2',
    'the médecin traitant sees masked data',
    { subject: { id: MT }, preferences: { attendingPhysician: MT }, document: masked },
    permitted,
    'ATTENDING_PHYSICIAN',
  ],
  [
    'C3.3',
    "an attested professional may change labels on the patient's behalf",
    { action: 'update-metadata' },
    permitted,
    'CARE_TEAM',
  ],
  [
    'C3.4',
    'the patient cannot see a recent INVISIBLE_PATIENT document',
    { subject: holder, document: recentInvisible },
    denied,
    'DOCUMENT_INVISIBLE_TO_PATIENT',
  ],
  [
    'C3.4',
    'after one month it becomes visible',
    { subject: holder, document: { ...recentInvisible, depositDate: '2026-06-01T00:00:00Z' } },
    permitted,
    'HOLDER',
  ],
  [
    'C3.5',
    'a legal representative cannot see INVISIBLE_REPRESENTANTS_LEGAUX',
    {
      subject: { ...holder, id: 'parent', legalRepresentative: true },
      document: { ...report, labels: ['INVISIBLE_REPRESENTANTS_LEGAUX'] },
    },
    denied,
    'DOCUMENT_INVISIBLE_TO_REPRESENTATIVES',
  ],
  [
    'C3.5',
    'the holder sees it',
    { subject: holder, document: { ...report, labels: ['INVISIBLE_REPRESENTANTS_LEGAUX'] } },
    permitted,
    'HOLDER',
  ],
  [
    'C3.6',
    'hide-everything refuses professionals, even the médecin traitant',
    { subject: { id: MT }, preferences: { attendingPhysician: MT, hideEverything: true } },
    denied,
    'PATIENT_HID_EVERYTHING',
  ],
  [
    'C3.6',
    'hide-everything refuses break-glass',
    {
      subject: { accessMode: 'bris_de_glace', accessReason: 'x' },
      preferences: { hideEverything: true },
    },
    denied,
    'PATIENT_HID_EVERYTHING',
  ],
  [
    'C3.6',
    'the holder still reads',
    { subject: holder, preferences: { hideEverything: true } },
    permitted,
    'HOLDER',
  ],
  [
    'C3.7',
    'a masked document remains readable by the holder',
    { subject: holder, document: masked },
    permitted,
    'HOLDER',
  ],
  ['C4.1', 'the holder reads their DMP', { subject: holder }, permitted, 'HOLDER'],
  [
    'C4.1',
    'another patient cannot',
    { subject: { ...holder, id: 'x', patientIns: '180012345678901' } },
    denied,
    'NOT_THE_HOLDER',
  ],
  [
    'C4.2',
    'after unblocking, the professional is back to the normal rules',
    { preferences: { blocked: [] } },
    permitted,
    'CARE_TEAM',
  ],
  ['C4.4', 'masking applies to search obligations', { action: 'search' }, permitted, 'CARE_TEAM'],
  [
    'C4.5',
    'the holder adds a document',
    { subject: holder, action: 'create' },
    permitted,
    'HOLDER',
  ],
  [
    'C4.7',
    'the holder deletes only what they authored',
    { subject: holder, action: 'delete', document: report },
    denied,
    'ONLY_AUTHOR',
  ],
  [
    'C4.8',
    "a legal representative reads the minor's DMP",
    { subject: { ...holder, id: 'parent', legalRepresentative: true } },
    permitted,
    'LEGAL_REPRESENTATIVE',
  ],
  ['C6.1', 'a closed DMP refuses professionals', { state: 'closed' }, denied, 'DMP_CLOSED'],
  [
    'C6.3',
    'the holder reads the archived data of a closed DMP',
    { state: 'closed', subject: holder },
    permitted,
    'HOLDER',
  ],
  [
    'C6.3',
    'nobody feeds a closed DMP',
    { state: 'closed', subject: holder, action: 'create' },
    denied,
    'DMP_CLOSED',
  ],
  ['C.7.1', 'no DMP, no access', { state: 'none', subject: holder }, denied, 'DMP_NOT_FOUND'],
  [
    'F.4',
    'a token bound to another patient is refused',
    { subject: { patientIns: '180012345678901' } },
    denied,
    'TOKEN_BOUND_TO_ANOTHER_PATIENT',
  ],
  [
    'D',
    'auditors do not read documents',
    { subject: { kind: 'auditor' } },
    denied,
    'AUDITOR_NO_DOCUMENT_ACCESS',
  ],
  [
    'E.6.1',
    'block beats opposition and authorization',
    {
      subject: { accessMode: 'bris_de_glace', accessReason: 'x' },
      preferences: { blocked: [DR], emergencyOpposition: true, authorized: [{ professional: DR }] },
    },
    denied,
    'PROFESSIONAL_BLOCKED',
  ],
  [
    'E.6.1',
    'opposition beats masking',
    {
      subject: { accessMode: 'bris_de_glace', accessReason: 'x' },
      preferences: { emergencyOpposition: true },
      document: masked,
    },
    denied,
    'EMERGENCY_ACCESS_OPPOSED',
  ],
  [
    'E.6.1',
    'masking beats an authorization',
    {
      subject: { attestation: undefined },
      preferences: { authorized: [{ professional: DR }] },
      document: masked,
    },
    denied,
    'DOCUMENT_MASKED',
  ],
];
