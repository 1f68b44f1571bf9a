/** Client ids allowed to ask access decisions (the documents service), by default. */
export const DEFAULT_DECISION_CLIENTS = ['dmp-documents'];
/** Client ids of the DMP operator's software (opens and closes DMPs on request), by default. */
export const DEFAULT_OPERATOR_CLIENTS = ['dmp-operator'];

/**
 * The change feed's bound L (ms): a documents instance's lease as a follower, the longest a
 * change waits for the followers' acknowledgements, and the age past which a follower stops
 * reusing decisions (minus a margin). See README "Decision reuse".
 */
export const DEFAULT_FEED_LEASE_MS = 2000;

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
  feedLeaseMs: {
    env: 'CONSENT_FEED_LEASE_MS',
    type: 'integer',
    default: DEFAULT_FEED_LEASE_MS,
    min: 200,
    max: 30_000,
    doc: 'Bound L of the change feed (ms): the lease of each documents instance following it, the longest a change (`$dmp-change`, `$dmp-open/close/erase`, a policy reload) waits for their acknowledgements before answering, and, minus a quarter, how long a documents instance reuses decisions after its last answered poll',
  },
  policyFile: {
    env: 'CONSENT_POLICY_FILE',
    type: 'string',
    doc: 'Consent policy JSON (profession matrix, break-glass, regulation); default: the shipped EXAMPLE',
  },
} as const;
