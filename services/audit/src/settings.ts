/** Client ids of the services allowed to feed the audit log (ITI-20), when nothing is configured. */
export const DEFAULT_FEED_CLIENTS = ['dmp-documents', 'dmp-consent'];

/** The audit service's own settings (besides the common ones of `@dmp/config`). */
export const auditSettings = {
  feedClients: {
    env: 'AUDIT_FEED_CLIENTS',
    type: 'list',
    default: DEFAULT_FEED_CLIENTS,
    doc: "Client ids of the system tokens allowed to record AuditEvents (ITI-20 feed): the product's own services, never a hospital, a professional or a patient (others: 403 `DMP-AUTH-SERVICE-ONLY`)",
  },
  checkpointKeyFile: {
    env: 'AUDIT_CHECKPOINT_KEY_FILE',
    type: 'string',
    doc: 'Ed25519 PKCS#8 PEM key signing the checkpoints (created on first start); default `$DATA_DIR/audit/checkpoint-key.pem`',
  },
  checkpointEvery: {
    env: 'AUDIT_CHECKPOINT_EVERY',
    type: 'integer',
    default: 1000,
    min: 1,
    max: 10_000_000,
    doc: 'Sign a checkpoint after this many new events',
  },
  checkpointSeconds: {
    env: 'AUDIT_CHECKPOINT_SECONDS',
    type: 'integer',
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'Also sign a checkpoint this often (seconds) when the log moved',
  },
  retentionDays: {
    env: 'AUDIT_RETENTION_DAYS',
    type: 'integer',
    min: 1,
    max: 1_000_000,
    doc: 'Delete audit events recorded more than this many days ago (daily); unset = keep forever (default). The DMP keeps traces at least as long as the record: closure + 10 years (SPEC C.6)',
  },
  retentionStorageUrl: {
    env: 'AUDIT_RETENTION_STORAGE_URL',
    type: 'string',
    doc: 'Database URL retention connects with (MongoDB: a user with the retention role, allowed to remove old events); unset = the audit log connection',
  },
} as const;
