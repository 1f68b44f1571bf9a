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
} as const;
