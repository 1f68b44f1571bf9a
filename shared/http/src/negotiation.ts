import { fhirError } from '@dmp/errors';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
export const FHIR_XML = 'application/fhir+xml; charset=utf-8';

/** The two FHIR encodings served. */
export type FhirFormat = 'json' | 'xml';

/** Media types (and `_format` shorthands) naming each encoding. */
export const JSON_MEDIA_TYPES = [
  'application/fhir+json',
  'application/json',
  'application/json+fhir',
];
export const XML_MEDIA_TYPES = [
  'application/fhir+xml',
  'application/xml',
  'text/xml',
  'application/xml+fhir',
];
const FORMATS = new Map<string, FhirFormat>([
  ['json', 'json'],
  ['xml', 'xml'],
  ...JSON_MEDIA_TYPES.map((type): [string, FhirFormat] => [type, 'json']),
  ...XML_MEDIA_TYPES.map((type): [string, FhirFormat] => [type, 'xml']),
]);
const WILDCARDS = new Set(['*/*', 'application/*']);

/** `_format` as sent; a `+` left unencoded in the query string arrives as a space. */
function formatParameter(value: string): FhirFormat | undefined {
  const type = value.split(';')[0]?.trim().toLowerCase().replace(/ /g, '+') ?? '';
  return FORMATS.get(type);
}

/**
 * For each encoding, the best quality `Accept` gives it (0: not acceptable, as `q=0` says) and
 * whether that quality names a FHIR type rather than a wildcard.
 */
function acceptedQualities(accept: string): Record<FhirFormat, { q: number; named: boolean }> {
  const best: Record<FhirFormat, { q: number; named: boolean }> = {
    json: { q: 0, named: false },
    xml: { q: 0, named: false },
  };
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    const format = FORMATS.get(type);
    const targets: FhirFormat[] = format ? [format] : WILDCARDS.has(type) ? ['json', 'xml'] : [];
    for (const target of targets) {
      const current = best[target];
      const named = format !== undefined;
      if (q > current.q || (q === current.q && named && !current.named)) {
        best[target] = { q, named };
      }
    }
  }
  return best;
}

/**
 * The encoding `Accept` prefers, by quality then specificity (a named FHIR type beats a
 * wildcard; JSON wins a tie); `undefined` when it allows neither.
 */
function acceptedFormat(accept: string): FhirFormat | undefined {
  const { json, xml } = acceptedQualities(accept);
  if (json.q === 0 && xml.q === 0) return undefined;
  if (xml.q > json.q || (xml.q === json.q && xml.named && !json.named)) return 'xml';
  return 'json';
}

/**
 * The FHIR encoding to answer in, from `_format` (which wins) or `Accept`; 406
 * `DMP-HTTP-NOT-ACCEPTABLE` when the client takes neither FHIR JSON nor FHIR XML.
 */
export function negotiateFhirFormat(format: string | null, accept: string | undefined): FhirFormat {
  if (format !== null) {
    const chosen = formatParameter(format);
    if (!chosen) {
      throw fhirError(
        'DMP-HTTP-NOT-ACCEPTABLE',
        'Only JSON and XML are served (_format)',
        '_format',
      );
    }
    return chosen;
  }
  if (accept === undefined || accept.trim() === '') return 'json';
  const chosen = acceptedFormat(accept);
  if (!chosen) {
    throw fhirError(
      'DMP-HTTP-NOT-ACCEPTABLE',
      'Only application/fhir+json and application/fhir+xml are served',
    );
  }
  return chosen;
}

/**
 * The encoding of an answer that negotiation cannot refuse (an error, or a FHIR resource from a
 * route that negotiates its own media types): the one the client asked for, else JSON.
 */
export function preferredFhirFormat(format: string | null, accept: string | undefined): FhirFormat {
  if (format !== null) return formatParameter(format) ?? 'json';
  if (accept === undefined || accept.trim() === '') return 'json';
  return acceptedFormat(accept) ?? 'json';
}

/**
 * {@link preferredFhirFormat} of a request, from its raw query (`_format`) and `Accept` header.
 * The query is read on its own: any path, even one `URL` refuses, has an answer format.
 */
export function preferredFormatOf(rawQuery: string, accept: string | undefined): FhirFormat {
  return preferredFhirFormat(new URLSearchParams(rawQuery).get('_format'), accept);
}

/**
 * The media type an ITI-68 style route should negotiate with, `_format` shorthands (`json`,
 * `xml`) made FHIR media types: `_format` when given, else `Accept`.
 */
export function requestedMediaType(
  format: string | null,
  accept: string | undefined,
): string | undefined {
  if (format === null) return accept;
  const chosen = formatParameter(format);
  if (chosen === 'json') return 'application/fhir+json';
  if (chosen === 'xml') return 'application/fhir+xml';
  return format;
}

/**
 * The encoding a route answers in: negotiated (406 when neither FHIR encoding is acceptable) for
 * FHIR routes; JSON only for `root` routes (406 otherwise); for `produces: 'any'` routes, which
 * negotiate their own media types, the encoding of any FHIR resource they answer.
 */
export function fhirFormatFor(
  route: { produces?: 'fhir-json' | 'any'; root?: boolean },
  format: string | null,
  accept: string | undefined,
): FhirFormat {
  if (route.produces === 'any') return preferredFhirFormat(format, accept);
  if (route.root) {
    assertAcceptsFhirJson(format, accept);
    return 'json';
  }
  return negotiateFhirFormat(format, accept);
}

/**
 * Checks that the client can take FHIR JSON, from `_format` (which wins) or `Accept`: for the
 * routes that answer JSON only (the non-FHIR `root` routes).
 */
export function assertAcceptsFhirJson(format: string | null, accept: string | undefined): void {
  if (format !== null) {
    if (formatParameter(format) !== 'json') {
      throw fhirError('DMP-HTTP-NOT-ACCEPTABLE', 'Only JSON is served (_format)', '_format');
    }
    return;
  }
  if (accept === undefined || accept.trim() === '') return;
  if (acceptedQualities(accept).json.q === 0) {
    throw fhirError('DMP-HTTP-NOT-ACCEPTABLE', 'Only application/fhir+json is served');
  }
}
