/** The consent service's own settings (besides the common ones of `@dmp/config`). */
export const consentSettings = {
  policyFile: {
    env: 'CONSENT_POLICY_FILE',
    type: 'string',
    doc: 'Consent policy JSON (profession matrix, break-glass, regulation); default: the shipped EXAMPLE',
  },
} as const;
