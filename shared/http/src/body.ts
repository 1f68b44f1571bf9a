import express, { type RequestHandler } from 'express';
import { fhirError } from '@dmp/errors';
import { isJsonSpace, parseJsonLiftingBase64, type LiftRule } from './lifted-base64';
import { assertJsonDepth } from './limits';
import { JSON_MEDIA_TYPES, XML_MEDIA_TYPES } from './negotiation';
import type { BodyKind } from './route';
import { fhirXmlToJson } from './xml-format';

const JSON_TYPES = JSON_MEDIA_TYPES;
const FORM_TYPE = 'application/x-www-form-urlencoded';
const PATCH_TYPES = ['application/json-patch+json', ...JSON_TYPES];

const ACCEPTED: Readonly<Record<Exclude<BodyKind, 'none'>, readonly string[]>> = {
  resource: [...JSON_TYPES, ...XML_MEDIA_TYPES],
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
 * A `resource` body in FHIR XML: read as text under the same size limit, then converted to the
 * FHIR JSON it stands for (400 `DMP-HTTP-MALFORMED-XML` when it is not well-formed FHIR XML),
 * so that handlers and the depth check see the same object as for a JSON body.
 */
function xmlResourceReader(limit: string | number, jsonDepth: number): RequestHandler {
  const readText = express.text({ limit, type: () => true });
  return (req, res, next) => {
    readText(req, res, (error?: unknown) => {
      if (error !== undefined) {
        next(error);
        return;
      }
      try {
        const text: unknown = req.body;
        req.body = fhirXmlToJson(typeof text === 'string' ? text : '', 2 * jsonDepth);
        next();
      } catch (failure) {
        next(failure);
      }
    });
  };
}

/** `application/fhir+json; charset=utf-8` → `utf-8`; undefined without a charset. */
function charsetOf(header: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(header ?? '');
  return match?.[1]?.toLowerCase();
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A JSON `resource` body whose long base64 `data` strings `lift` may keep as bytes (see
 * `lifted-base64.ts`): read as bytes under the same size limit and content decoding as the JSON
 * parser, then parsed with the same rules (UTF-8, an optional byte order mark, an object or an
 * array at the top, an empty body read as `{}`).
 */
function liftingJsonReader(limit: string | number, lift: LiftRule): RequestHandler {
  const readBytes = express.raw({ limit, type: () => true });
  return (req, res, next) => {
    void readBytes(req, res, (error?: unknown) => {
      if (error !== undefined) {
        next(error);
        return;
      }
      try {
        req.body = parseLiftingBody(req.headers['content-type'], req.body, lift);
        next();
      } catch (failure) {
        next(failure);
      }
    });
  };
}

/** Refused the way Express's JSON parser refuses, so that `mapBodyParserError` answers both alike. */
function bodyParserRefusal(type: 'charset.unsupported' | 'entity.parse.failed'): Error {
  return Object.assign(new Error(type), { type });
}

function parseLiftingBody(contentType: string | undefined, raw: unknown, lift: LiftRule): unknown {
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw bodyParserRefusal('charset.unsupported');
  }
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  const body = raw.subarray(0, 3).equals(UTF8_BOM) ? raw.subarray(3) : raw;
  const first = body.find((byte) => !isJsonSpace(byte));
  try {
    if (first !== 0x7b && first !== 0x5b) throw new SyntaxError('not an object or an array');
    return parseJsonLiftingBase64(body, lift);
  } catch (failure) {
    if (!(failure instanceof SyntaxError)) throw failure;
    throw bodyParserRefusal('entity.parse.failed');
  }
}

/**
 * Body reading for one route: checks the media type (415), then parses with the size limit
 * (413) and a strict JSON parser (400; lifting base64 documents when the route has a
 * `LiftRule`) or, for a `resource` in FHIR XML (unless `fhirXml` is false: the non-FHIR `root`
 * routes), the XML reader (400), then refuses JSON nested deeper than `jsonDepth` (400). Errors
 * from the parsers are mapped by the error middleware; see `mapBodyParserError`.
 */
export function bodyReader(
  kind: BodyKind,
  limit: string | number,
  jsonDepth: number,
  fhirXml = true,
  lift?: LiftRule,
): RequestHandler[] {
  if (kind === 'none') return [];
  const accepted = kind === 'resource' && !fhirXml ? JSON_TYPES : ACCEPTED[kind];
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
  const parse = !json
    ? express.text({ limit, type: () => true })
    : kind === 'resource' && lift
      ? liftingJsonReader(limit, lift)
      : express.json({ limit, strict: true, type: () => true });
  if (!json) return [checkType, parse];
  if (kind === 'resource' && fhirXml) {
    const parseXml = xmlResourceReader(limit, jsonDepth);
    const parseJson = parse;
    const parseEither: RequestHandler = (req, res, next) => {
      const type = mediaTypeOf(req.headers['content-type']) ?? '';
      if (XML_MEDIA_TYPES.includes(type)) parseXml(req, res, next);
      else void parseJson(req, res, next);
    };
    return [checkType, parseEither, checkDepth(jsonDepth)];
  }
  return [checkType, parse, checkDepth(jsonDepth)];
}

function checkDepth(jsonDepth: number): RequestHandler {
  return (req, _res, next) => {
    assertJsonDepth(req.body, jsonDepth);
    next();
  };
}

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/**
 * Translates the errors of Express's body parsers (and of its router, which cannot decode a
 * badly percent-encoded path) into catalogue errors, or undefined.
 */
export function mapBodyParserError(error: unknown, limit: string | number) {
  if (error instanceof URIError) {
    return fhirError('DMP-HTTP-ROUTE-NOT-FOUND', 'The path is not validly percent-encoded');
  }
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
      // A body that does not decode by its Content-Encoding (say, corrupt gzip) has no type.
      return (error as BodyParserError).status === 400
        ? fhirError('DMP-HTTP-MALFORMED-JSON', 'The request body could not be read')
        : undefined;
  }
}
