import { EMPTY_POLICY, type AccessPolicy } from '../src/domain/access-policy';
import type { DocumentFacts, SubjectFacts } from '../src/domain/decision';
import type { PatientPreferences } from '../src/domain/preferences';
import type { ActionName } from '../src/domain/vocabulary';

/** The subjects, documents and policy the decision table's rows are written with. */
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
export const report: DocumentFacts = {
  classCode: '10',
  typeCode: '11488-4',
  labels: ['N'],
  authors: [OTHER],
  authorOrganizations: ['ORG-B'],
  submitter: 'system:lps-b',
  depositDate: '2026-01-01T00:00:00Z',
};
export const masked: DocumentFacts = { ...report, labels: ['N', 'MASQUE_PS'] };
export const recentInvisible: DocumentFacts = {
  ...report,
  labels: ['N', 'INVISIBLE_PATIENT'],
  depositDate: '2026-07-01T00:00:00Z',
};

export interface Case {
  subject?: Partial<SubjectFacts>;
  action?: ActionName;
  /** What an `update-metadata` changes, as the documents service sends it. */
  changes?: string[];
  document?: DocumentFacts;
  preferences?: Partial<PatientPreferences>;
  state?: 'open' | 'closed' | 'none';
}

export const permitted = true;
export const denied = false;

export const DELETE = ['status:entered-in-error'];
