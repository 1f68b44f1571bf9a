import type { ChangesResponse, ConsentChange } from './access-api';
import { AccessDecisionUnavailable, type AccessClientOptions } from './access-client';

/** The consent service's change feed (`GET /access/v1/changes`), as its followers use it. */
export interface ChangeFeedClient {
  /**
   * One long poll: acknowledges every change up to `after` (undefined: registers the follower
   * at the head) and answers the changes after it, waiting a while for one. Any failure throws
   * {@link AccessDecisionUnavailable}; `signal` aborts it.
   */
  poll(
    follower: string,
    after: number | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ChangesResponse>;
}

const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function isChange(value: unknown): value is ConsentChange {
  const change = value as Partial<ConsentChange> | null;
  if (typeof change !== 'object' || change === null || !isSeq(change.seq)) return false;
  if (change.kind === 'policy') return true;
  const patient = change.kind === 'patient' ? change.patient : undefined;
  return typeof patient?.system === 'string' && typeof patient.value === 'string';
}

function isChangesResponse(value: unknown): value is ChangesResponse {
  const body = value as Partial<ChangesResponse> | null;
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray(body.changes) &&
    body.changes.every(isChange) &&
    isSeq(body.head) &&
    isSeq(body.lease_ms) &&
    body.lease_ms > 0 &&
    typeof body.policy === 'string' &&
    (body.more === undefined || typeof body.more === 'boolean')
  );
}

export function createChangeFeedClient(
  options: Omit<AccessClientOptions, 'timeoutMs'>,
): ChangeFeedClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async poll(follower, after, timeoutMs, signal) {
      const query = new URLSearchParams({ follower });
      if (after !== undefined) query.set('after', String(after));
      let response: Response;
      let payload: unknown;
      try {
        response = await doFetch(`${base}/access/v1/changes?${query.toString()}`, {
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${await options.token()}`,
          },
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
            : AbortSignal.timeout(timeoutMs),
        });
        payload = await response.json().catch(() => undefined);
      } catch (error) {
        throw new AccessDecisionUnavailable(`consent change feed unreachable: ${String(error)}`);
      }
      if (response.status !== 200 || !isChangesResponse(payload)) {
        throw new AccessDecisionUnavailable(
          `consent change feed answered ${response.status}`,
          response.status,
          payload,
        );
      }
      return payload;
    },
  };
}
