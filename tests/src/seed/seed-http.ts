/**
 * The seed's HTTP calls to the services, with failures that say what was asked, of whom, and
 * what came back (the OperationOutcome's codes and messages), so that `npm run seed` can stop
 * with a reason a person can act on.
 */

export interface Answer {
  status: number;
  /** The parsed JSON body (undefined when the body was empty or not JSON). */
  body: unknown;
}

/** Why a request got no answer: the system error (ECONNREFUSED, ENOTFOUND…) rather than "fetch failed". */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** `GET` or `POST` (FHIR JSON) with a Bearer token; throws only when no answer came. */
export async function send(
  method: 'GET' | 'POST',
  url: string,
  bearer: string | undefined,
  body?: unknown,
): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: 'application/fhir+json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new Error(`${method} ${url} got no answer (${networkReason(error)})`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

interface Issue {
  details?: { coding?: { code?: string }[] };
  diagnostics?: string;
}

/** The error codes of an OperationOutcome body (`DMP-…`), in order. */
export function outcomeCodes(body: unknown): string[] {
  const issues = (body as { issue?: Issue[] } | undefined)?.issue ?? [];
  return issues.map((issue) => issue.details?.coding?.[0]?.code ?? 'unknown');
}

/** One line for a failed answer: status, then each issue's code and message. */
export function describeFailure(what: string, answer: Answer): string {
  const issues = (answer.body as { issue?: Issue[] } | undefined)?.issue;
  const detail = issues
    ? issues
        .map((issue, i) => `${outcomeCodes(answer.body)[i] ?? ''} ${issue.diagnostics ?? ''}`)
        .join('; ')
    : JSON.stringify(answer.body ?? '').slice(0, 300);
  return `${what} answered ${answer.status}: ${detail.trim()}`;
}

/** The answer's body when it is a 2xx, otherwise an error naming the request and the outcome. */
export function expectOk(what: string, answer: Answer): unknown {
  if (answer.status < 200 || answer.status >= 300) throw new Error(describeFailure(what, answer));
  return answer.body;
}

/**
 * Fails unless the service answers `/readyz` with 200, naming the service, the URL it was
 * looked for at and the setting that moves it.
 */
export async function assertReady(service: string, root: string, portVar: string): Promise<void> {
  const hint = `start the services first (npm start), or set HOST / ${portVar} to where it runs`;
  let answer: Answer;
  try {
    answer = await send('GET', `${root}/readyz`, undefined);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`the ${service} service is not reachable at ${root}: ${reason}; ${hint}`);
  }
  if (answer.status !== 200) {
    throw new Error(`the ${service} service at ${root} is not ready (/readyz ${answer.status})`);
  }
}
