import type { Response } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import { informationOutcome } from '@dmp/errors';
import { FHIR_JSON, FHIR_XML, type FhirFormat } from './negotiation';
import type { FhirResult, HttpMethod, Prefer } from './route';
import { jsonToFhirXml } from './xml-format';

const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Sends a FHIR body (resource or OperationOutcome) in the negotiated encoding. */
export function sendFhir(res: Response, status: number, body: object, format: FhirFormat): void {
  res.vary('Accept');
  if (format === 'xml') {
    const xml = jsonToFhirXml(body);
    res.status(status).type(FHIR_XML).send(xml);
    return;
  }
  res.status(status).type(FHIR_JSON).send(JSON.stringify(body));
}

/**
 * Sends an error's OperationOutcome in the encoding the client asked for; JSON if writing XML
 * fails, so that an error always gets an answer.
 */
export function sendOutcome(
  res: Response,
  status: number,
  outcome: OperationOutcome,
  format: FhirFormat,
): void {
  try {
    sendFhir(res, status, outcome, format);
  } catch {
    sendFhir(res, status, outcome, 'json');
  }
}

/**
 * Sends a handler's result, honouring `Prefer: return=` on writes: `minimal` sends no body,
 * `OperationOutcome` an informational outcome, `representation` (the default) the resource; a
 * resource goes in `format` (FHIR JSON or FHIR XML).
 */
export function sendResult(
  res: Response,
  method: HttpMethod,
  prefer: Prefer,
  result: FhirResult,
  format: FhirFormat = 'json',
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
    sendFhir(res, result.status, outcome, format);
    return;
  }
  sendFhir(res, result.status, result.resource, format);
}
