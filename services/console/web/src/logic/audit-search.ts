import { insToken } from './fhir-paths';

/** What an auditor filters the trail on (ITI-81). Empty strings mean "any". */
export interface AuditFilters {
  patientIns: string;
  /** idNat_PS (or client id) of the agent. */
  agent: string;
  /** `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
  /** IHE transaction (ITI-65, ITI-67…) or one of our subtypes. */
  transaction: string;
  outcome: '' | 'success' | 'failure';
  purpose: '' | 'BTG' | 'TREAT' | 'ETREAT';
}

export const NO_FILTERS: AuditFilters = {
  patientIns: '',
  agent: '',
  from: '',
  to: '',
  transaction: '',
  outcome: '',
  purpose: '',
};

export const TRANSACTION_CHOICES = [
  ['ITI-65', 'ITI-65 · dépôt de documents'],
  ['ITI-67', 'ITI-67 · recherche de documents'],
  ['ITI-68', 'ITI-68 · lecture d’un document'],
  ['ITI-66', 'ITI-66 · recherche de lots'],
  ['ITI-105', 'ITI-105 · publication simplifiée'],
  ['break-glass-review', 'Revue d’un bris de glace'],
  ['audit-log-read', 'Lecture de la trace'],
] as const;

const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/** The ITI-81 query string for these filters, newest first, `count` per page. */
export function auditSearchParams(filters: AuditFilters, count = 20): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.patientIns.trim())
    params.set('patient.identifier', insToken(filters.patientIns.trim()));
  if (filters.agent.trim()) params.set('agent.identifier', filters.agent.trim());
  if (filters.from) params.append('date', `ge${filters.from}`);
  if (filters.to) params.append('date', `le${filters.to}`);
  if (filters.transaction) params.set('subtype', filters.transaction);
  if (filters.outcome === 'success') params.set('outcome', '0');
  if (filters.outcome === 'failure') params.set('outcome:not', '0');
  if (filters.purpose) params.set('purpose-of-use', `${ACT_REASON}|${filters.purpose}`);
  params.set('_count', String(count));
  return params;
}
