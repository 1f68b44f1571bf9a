import type { Binary } from 'fhir/r4';
import { ifNoneMatchHits, parseIfMatch, versionHeaders } from './conditional';

describe('conditional request helpers', () => {
  it('reads the version an If-Match names', () => {
    expect(parseIfMatch('W/"3"')).toBe('3');
    expect(parseIfMatch('"12"')).toBe('12');
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it('answers 400 DMP-HTTP-INVALID-HEADER to a malformed If-Match', () => {
    expect(() => parseIfMatch('W/"3", W/"4"')).toThrow(
      expect.objectContaining({ status: 400, code: 'DMP-HTTP-INVALID-HEADER' }),
    );
  });

  it('matches If-None-Match against the current version', () => {
    expect(ifNoneMatchHits('W/"2"', '2')).toBe(true);
    expect(ifNoneMatchHits('W/"1", W/"2"', '2')).toBe(true);
    expect(ifNoneMatchHits('*', '7')).toBe(true);
    expect(ifNoneMatchHits('W/"1"', '2')).toBe(false);
    expect(ifNoneMatchHits(undefined, '2')).toBe(false);
  });

  it('derives ETag and Last-Modified from meta', () => {
    const binary: Binary = {
      resourceType: 'Binary',
      contentType: 'text/plain',
      meta: { versionId: '4', lastUpdated: '2026-11-25T10:00:00.000Z' },
    };

    const headers = versionHeaders(binary);

    expect(headers).toEqual({ ETag: 'W/"4"', 'Last-Modified': 'Wed, 25 Nov 2026 10:00:00 GMT' });
  });
});
