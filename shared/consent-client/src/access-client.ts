import type {
  EvaluationRequest,
  EvaluationResponse,
  EvaluationsRequest,
  EvaluationsResponse,
} from './access-api';

export interface AccessClientOptions {
  /** Root URL of the consent service, e.g. `http://127.0.0.1:8082` (no `/fhir`). */
  baseUrl: string;
  /** A system token for the consent service (called once per request). */
  token: () => Promise<string> | string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Milliseconds before giving up (default 2000). */
  timeoutMs?: number;
}

/** The consent service could not answer: callers must deny (fail closed, 503). */
export class AccessDecisionUnavailable extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'AccessDecisionUnavailable';
  }
}

export interface AccessClient {
  evaluate(request: EvaluationRequest): Promise<EvaluationResponse>;
  evaluateMany(request: EvaluationsRequest): Promise<EvaluationsResponse>;
}

/**
 * The documents service's view of the consent service's decision API. Any failure (network,
 * timeout, non-200, malformed answer) throws {@link AccessDecisionUnavailable}: treat it as a
 * deny.
 */
export function createAccessClient(options: AccessClientOptions): AccessClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  async function post<T>(
    path: string,
    body: unknown,
    check: (value: unknown) => boolean,
  ): Promise<T> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${await options.token()}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
      });
    } catch (error) {
      throw new AccessDecisionUnavailable(`consent service unreachable: ${String(error)}`);
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.status !== 200 || !check(payload)) {
      throw new AccessDecisionUnavailable(
        `consent service answered ${response.status}`,
        response.status,
        payload,
      );
    }
    return payload as T;
  }
  const isDecision = (value: unknown) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { decision?: unknown }).decision === 'boolean';
  return {
    evaluate: (request) => post('/access/v1/evaluation', request, isDecision),
    evaluateMany: (request) =>
      post('/access/v1/evaluations', request, (value) =>
        Array.isArray((value as { evaluations?: unknown } | undefined)?.evaluations),
      ),
  };
}
