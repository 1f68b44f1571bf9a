/** One satisfiable byte range, inclusive bounds (RFC 9110 §14). */
export interface ByteRangeRequest {
  start: number;
  end: number;
}

export type RangeDecision =
  { kind: 'whole' } | { kind: 'partial'; range: ByteRangeRequest } | { kind: 'unsatisfiable' };

/**
 * Reads a `Range` header for a body of `size` bytes. Only one `bytes` range is served; a list
 * of ranges, another unit or a malformed value is ignored (the whole body, as RFC 9110 allows).
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'whole' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end } };
}

export type Representation = 'raw' | 'fhir-binary' | 'none';

function mediaRanges(accept: string): string[] {
  return accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
}

/**
 * ITI-68 negotiation: the stored bytes when `Accept` allows their media type (or says nothing),
 * the FHIR Binary resource when it asks for FHIR JSON (PDSm4DMP; fhirclient sends
 * `application/json`) or FHIR XML (`application/fhir+xml` only: a plain `application/xml` or
 * `text/xml` may be asking for an XML document, e.g. a CDA), else nothing (406).
 */
export function chooseRepresentation(
  accept: string | undefined,
  storedType: string,
): Representation {
  if (accept === undefined || accept.trim() === '') return 'raw';
  const ranges = mediaRanges(accept);
  const stored = storedType.split(';')[0]?.trim().toLowerCase() ?? '';
  const [major] = stored.split('/');
  if (ranges.includes(stored)) return 'raw';
  if (
    ranges.some(
      (r) =>
        r === 'application/fhir+json' ||
        r === 'application/json' ||
        r === 'application/json+fhir' ||
        r === 'application/fhir+xml' ||
        r === 'application/xml+fhir',
    )
  ) {
    return 'fhir-binary';
  }
  if (ranges.some((r) => r === '*/*' || r === `${major ?? ''}/*`)) return 'raw';
  return 'none';
}
