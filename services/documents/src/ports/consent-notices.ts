import type { DueNotice } from '../jobs/invisible-patient-sweep';

export interface ConsentNoticesOptions {
  /** Root URL of the consent service. */
  baseUrl: string;
  token: () => Promise<string>;
  timeoutMs: number;
}

/**
 * Reports a due `INVISIBLE_PATIENT` notice to the consent service
 * (`POST /access/v1/invisible-patient-notices`, idempotent there); throws when it did not
 * answer 200, so that the sweep retries on its next pass.
 */
export function createConsentNotices(
  options: ConsentNoticesOptions,
): (notice: DueNotice) => Promise<void> {
  const url = `${options.baseUrl.replace(/\/$/, '')}/access/v1/invisible-patient-notices`;
  return async (notice) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await options.token()}`,
      },
      body: JSON.stringify({
        patient: {
          ...(notice.patient.system ? { system: notice.patient.system } : {}),
          value: notice.patient.value,
        },
        document: notice.document,
      }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status !== 200) {
      throw new Error(`consent answered ${response.status} to an invisible-patient notice`);
    }
    await response.arrayBuffer();
  };
}
