import {
  denied,
  holder,
  masked,
  MT,
  OTHER,
  permitted,
  recentInvisible,
  report,
  type Case,
} from './decision-facts';

/**
 * The rows about changing a stored document (TD3.3, C1.9, C3.x) and about software without a
 * user (TD3.1b): seen first, then each change its right. Part of the decision table.
 */
const hospitalB = { kind: 'system' as const, id: 'lps-b', organizationId: 'ORG-B' };
const hospitalC = { kind: 'system' as const, id: 'lps-c', organizationId: 'ORG-C' };

export const CHANGE_CASES: [string, string, Case, boolean, string][] = [
  [
    'C3.1',
    'a professional who may not see a masked document may not change it either',
    { action: 'update-metadata', changes: ['label-remove:MASQUE_PS'], document: masked },
    denied,
    'DOCUMENT_MASKED',
  ],
  [
    'C3.6',
    'hide-everything refuses every change by a professional, even a harmless one',
    {
      action: 'update-metadata',
      changes: ['label-add:MASQUE_PS'],
      document: report,
      preferences: { hideEverything: true },
    },
    denied,
    'PATIENT_HID_EVERYTHING',
  ],
  [
    'C3.3',
    'the médecin traitant unmasks on the patient’s behalf',
    {
      subject: { id: MT },
      preferences: { attendingPhysician: MT },
      action: 'update-metadata',
      changes: ['label-remove:MASQUE_PS'],
      document: masked,
    },
    permitted,
    'ATTENDING_PHYSICIAN',
  ],
  [
    'C2.9',
    'emergency access reads; it changes nothing',
    {
      subject: { accessMode: 'bris_de_glace', accessReason: 'x' },
      action: 'update-metadata',
      changes: ['label-add:MASQUE_PS'],
      document: report,
    },
    denied,
    'EMERGENCY_READ_ONLY',
  ],
  [
    'C3.4',
    'the holder cannot lift INVISIBLE_PATIENT once visible to them',
    {
      subject: holder,
      action: 'update-metadata',
      changes: ['label-remove:INVISIBLE_PATIENT'],
      document: { ...recentInvisible, depositDate: '2026-06-01T00:00:00Z' },
    },
    denied,
    'CHANGE_NOT_ALLOWED',
  ],
  [
    'C3.4',
    'nor touch a document still invisible to them',
    {
      subject: holder,
      action: 'update-metadata',
      changes: ['label-add:MASQUE_PS'],
      document: recentInvisible,
    },
    denied,
    'DOCUMENT_INVISIBLE_TO_PATIENT',
  ],
  [
    'C3.4',
    'a professional who sees it announces it (lifts INVISIBLE_PATIENT)',
    {
      action: 'update-metadata',
      changes: ['label-remove:INVISIBLE_PATIENT'],
      document: recentInvisible,
    },
    permitted,
    'CARE_TEAM',
  ],
  [
    'C4.4',
    'the holder masks and unmasks',
    {
      subject: holder,
      action: 'update-metadata',
      changes: ['label-add:MASQUE_PS'],
      document: report,
    },
    permitted,
    'HOLDER',
  ],
  [
    'C3.5',
    'a legal representative cannot lift INVISIBLE_REPRESENTANTS_LEGAUX',
    {
      subject: { ...holder, id: 'parent', legalRepresentative: true },
      action: 'update-metadata',
      changes: ['label-add:INVISIBLE_REPRESENTANTS_LEGAUX'],
      document: report,
    },
    denied,
    'CHANGE_NOT_ALLOWED',
  ],
  [
    'C6.8',
    'the holder archives a document',
    { subject: holder, action: 'update-metadata', changes: ['archive'], document: report },
    permitted,
    'HOLDER',
  ],
  [
    'C6.8',
    'a care-team professional who is not its author does not archive it',
    { action: 'update-metadata', changes: ['archive'], document: report },
    denied,
    'ONLY_AUTHOR',
  ],
  [
    'C1.9',
    'its author archives it',
    {
      subject: { id: OTHER },
      action: 'update-metadata',
      changes: ['archive'],
      document: report,
    },
    permitted,
    'AUTHOR',
  ],
  [
    'C1.9',
    'the confidentiality code is the author’s',
    { action: 'update-metadata', changes: ['label-add:R'], document: report },
    denied,
    'ONLY_AUTHOR',
  ],
  [
    'C1.9',
    'replacing a document is the author’s',
    { action: 'replace', document: report },
    denied,
    'ONLY_AUTHOR',
  ],
  [
    'C1.9',
    'its author replaces it',
    { subject: { id: OTHER }, action: 'replace', document: report },
    permitted,
    'AUTHOR',
  ],
  // Software without a user (TD3.1b): its own submissions only.
  [
    'C1.12',
    'a structure finds its own submissions (searches carry submitted_by)',
    { action: 'search', subject: hospitalB },
    permitted,
    'OWN_SUBMISSIONS',
  ],
  [
    'C1.12',
    'a structure reads a document it submitted',
    { subject: hospitalB, document: report },
    permitted,
    'OWN_DOCUMENT',
  ],
  [
    'C1.12',
    'another structure cannot read it',
    { subject: hospitalC, document: report },
    denied,
    'SYSTEM_CANNOT_CONSULT',
  ],
  [
    'C1.9',
    'the submitting structure archives and deletes its document',
    {
      subject: hospitalB,
      action: 'update-metadata',
      changes: ['archive', 'status:entered-in-error'],
      document: report,
    },
    permitted,
    'OWN_DOCUMENT',
  ],
  [
    'C1.9',
    'its establishment, through other software, replaces it',
    { subject: { ...hospitalC, organizationId: 'ORG-B' }, action: 'replace', document: report },
    permitted,
    'AUTHOR',
  ],
  [
    'C1.9',
    'another structure cannot replace it',
    { subject: hospitalC, action: 'replace', document: report },
    denied,
    'ONLY_AUTHOR',
  ],
  [
    'C1.9',
    'another structure cannot archive it',
    { subject: hospitalC, action: 'update-metadata', changes: ['archive'], document: report },
    denied,
    'ONLY_AUTHOR',
  ],
];
