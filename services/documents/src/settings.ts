/** Largest document accepted when nothing is configured: 100 MiB. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;

/** The documents service's own settings (besides the common ones of `@dmp/config`). */
export const documentsSettings = {
  maxDocumentBytes: {
    env: 'DOCUMENTS_MAX_DOCUMENT_BYTES',
    type: 'integer',
    default: DEFAULT_MAX_DOCUMENT_BYTES,
    min: 1,
    max: 300 * 1024 * 1024,
    doc: 'Largest document accepted by ITI-65 / ITI-105, in bytes (larger: 413); base64 in JSON caps it near 300 MiB',
  },
  consentUrl: {
    env: 'DOCUMENTS_CONSENT_URL',
    type: 'string',
    doc: 'Root URL of the consent service (e.g. `http://127.0.0.1:8082`), asked for every access decision; required: the service refuses to start without it (fail closed)',
  },
  consentTimeoutMs: {
    env: 'DOCUMENTS_CONSENT_TIMEOUT_MS',
    type: 'integer',
    default: 2000,
    min: 50,
    max: 60_000,
    doc: 'Milliseconds the documents service waits for a decision before answering 503 (fail closed)',
  },
  decisionCacheEntries: {
    env: 'DOCUMENTS_DECISION_CACHE_ENTRIES',
    type: 'integer',
    default: 10_000,
    min: 0,
    max: 1_000_000,
    doc: "Most consent permits kept for reuse (least recently used dropped first), kept exact by consent's change feed; 0: every access is decided by consent and no feed is followed",
  },
  decisionCacheMaxAgeMs: {
    env: 'DOCUMENTS_DECISION_CACHE_MAX_AGE_MS',
    type: 'integer',
    default: 300_000,
    min: 1000,
    max: 86_400_000,
    doc: 'Longest a kept permit is reused, whatever consent says (a safety net: the change feed invalidates it as soon as the patient or the policy changes)',
  },
  invisiblePatientSweepMs: {
    env: 'DOCUMENTS_INVISIBLE_PATIENT_SWEEP_MS',
    type: 'integer',
    default: 3_600_000,
    min: 1000,
    max: 86_400_000,
    doc: 'Milliseconds between two passes of the `INVISIBLE_PATIENT` sweep, which has the consent service notify the patient of documents kept from them for two weeks (SPEC C3.4); needs DOCUMENTS_CONSENT_URL',
  },
} as const;
