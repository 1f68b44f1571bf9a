/**
 * What the decision point said of a permit, recorded in the AuditEvent of the access it allowed
 * (the consent service keeps no record of a routine permit: this is it).
 */
export interface DecisionBasis {
  /** Consent's id of the decision. */
  id: string;
  /** The rules' reason codes (`CARE_TEAM`, `PATIENT_AUTHORIZATION`…). */
  reasons: string[];
  policyVersion: string;
  /** Served from the decision cache: decided earlier for exactly the same question. */
  reused: boolean;
}
