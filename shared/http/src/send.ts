import type { Response } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import { informationOutcome } from '@dmp/errors';
import { FHIR_JSON } from './negotiation';
import type { FhirResult, HttpMethod, Prefer } from './route';

const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Sends a FHIR JSON body (resource or OperationOutcome). */
export function sendFhirJson(res: Response, status: number, body: object): void {
  res.status(status).type(FHIR_JSON).send(JSON.stringify(body));
}

/**
 * Sends a handler's result, honouring `Prefer: return=` on writes: `minimal` sends no body,
 * `OperationOutcome` an informational outcome, `representation` (the default) the resource.
 */
export function sendResult(
  res: Response,
  method: HttpMethod,
  prefer: Prefer,
  result: FhirResult,
): void {
  if (result.headers) res.set(result.headers);
  if (result.stream) {
    // The stored media type exactly as given (no charset added), as ITI-68 requires.
    res
      .status(result.status)
      .setHeader('Content-Type', result.contentType ?? 'application/octet-stream');
    const stream = result.stream;
    stream.on('error', (error) => res.destroy(error));
    res.on('close', () => stream.destroy());
    stream.pipe(res);
    return;
  }
  if (result.json !== undefined) {
    res
      .status(result.status)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(result.json));
    return;
  }
  if (!result.resource) {
    res.status(result.status).end();
    return;
  }
  const isWrite = WRITE_METHODS.has(method) && result.resource.resourceType !== 'OperationOutcome';
  if (isWrite && prefer.return === 'minimal') {
    res.status(result.status).end();
    return;
  }
  if (isWrite && prefer.return === 'OperationOutcome') {
    const outcome: OperationOutcome = informationOutcome(
      `${result.resource.resourceType} stored (status ${result.status})`,
    );
    sendFhirJson(res, result.status, outcome);
    return;
  }
  sendFhirJson(res, result.status, result.resource);
}
