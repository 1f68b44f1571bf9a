/** Client ids allowed to ask access decisions (the documents service), by default. */
export const DEFAULT_DECISION_CLIENTS = ['dmp-documents'];
/** Client ids of the DMP operator's software (opens and closes DMPs on request), by default. */
export const DEFAULT_OPERATOR_CLIENTS = ['dmp-operator'];

/** The consent service's own settings (besides the common ones of `@dmp/config`). */
export const consentSettings = {
  decisionClients: {
    env: 'CONSENT_DECISION_CLIENTS',
    type: 'list',
    default: DEFAULT_DECISION_CLIENTS,
    doc: 'Client ids of the system tokens allowed to ask access decisions (`/access/v1/*`) and to read the patient registry by id: the documents service only (others: 403 `DMP-AUTH-SERVICE-ONLY`)',
  },
  operatorClients: {
    env: 'CONSENT_OPERATOR_CLIENTS',
    type: 'list',
    default: DEFAULT_OPERATOR_CLIENTS,
    doc: "Client ids of the DMP operator's software, the only system tokens that may open, close or ask to erase a DMP (besides the patient)",
  },
  policyFile: {
    env: 'CONSENT_POLICY_FILE',
    type: 'string',
    doc: 'Consent policy JSON (profession matrix, break-glass, regulation); default: the shipped EXAMPLE',
  },
} as const;
