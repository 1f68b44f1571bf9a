import express, { type RequestHandler } from 'express';
import { fhirError } from '@dmp/errors';
import { assertJsonDepth } from './limits';
import type { BodyKind } from './route';

const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const PATCH_TYPES = ['application/json-patch+json', ...JSON_TYPES];

const ACCEPTED: Readonly<Record<Exclude<BodyKind, 'none'>, readonly string[]>> = {
  resource: JSON_TYPES,
  'search-form': [FORM_TYPE],
  patch: PATCH_TYPES,
};

function mediaTypeOf(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return (
    headers['transfer-encoding'] !== undefined ||
    (headers['content-length'] !== undefined && headers['content-length'] !== '0')
  );
}

/**
 * Body reading for one route: checks the media type (415), then parses with the size limit
 * (413) and a strict JSON parser (400), then refuses JSON nested deeper than `jsonDepth` (400).
 * Errors from the parsers are mapped by the error middleware; see `mapBodyParserError`.
 */
export function bodyReader(
  kind: BodyKind,
  limit: string | number,
  jsonDepth: number,
): RequestHandler[] {
  if (kind === 'none') return [];
  const accepted = ACCEPTED[kind];
  const json = kind !== 'search-form';
  const checkType: RequestHandler = (req, _res, next) => {
    const type = mediaTypeOf(req.headers['content-type']);
    if (!hasBody(req.headers) && type === undefined) {
      next(json ? fhirError('DMP-HTTP-MALFORMED-JSON', 'A request body is required') : undefined);
      return;
    }
    if (type === undefined || !accepted.includes(type)) {
      next(
        fhirError(
          'DMP-HTTP-UNSUPPORTED-MEDIA-TYPE',
          `Content-Type must be ${accepted.join(' or ')}`,
        ),
      );
      return;
    }
    next();
  };
  const parse = json
    ? express.json({ limit, strict: true, type: () => true })
    : express.text({ limit, type: () => true });
  if (!json) return [checkType, parse];
  const checkDepth: RequestHandler = (req, _res, next) => {
    assertJsonDepth(req.body, jsonDepth);
    next();
  };
  return [checkType, parse, checkDepth];
}

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/** Translates the errors of Express's body parsers into catalogue errors, or undefined. */
export function mapBodyParserError(error: unknown, limit: string | number) {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type } = error as BodyParserError;
  switch (type) {
    case 'entity.parse.failed':
      return fhirError('DMP-HTTP-MALFORMED-JSON', 'The request body is not well-formed JSON');
    case 'entity.too.large':
      return fhirError('DMP-HTTP-PAYLOAD-TOO-LARGE', `The request body exceeds ${String(limit)}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return fhirError('DMP-HTTP-UNSUPPORTED-MEDIA-TYPE', 'Unsupported body encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return fhirError('DMP-HTTP-MALFORMED-JSON', 'The request body could not be read');
    default:
      return undefined;
  }
}
