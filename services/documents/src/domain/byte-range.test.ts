import { chooseRepresentation, decideRange } from './byte-range';

describe('byte ranges', () => {
  it.each([
    ['bytes=0-9', { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=90-', { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=-10', { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=50-500', { kind: 'partial', range: { start: 50, end: 99 } }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
  ])('%s of 100 bytes is %j', (header, expected) => {
    expect(decideRange(header, 100)).toEqual(expected);
  });
});

describe('ITI-68 representation', () => {
  it.each([
    [undefined, 'raw'],
    ['application/pdf', 'raw'],
    ['*/*', 'raw'],
    ['application/fhir+json', 'fhir-binary'],
    ['application/json', 'fhir-binary'],
    ['application/fhir+xml', 'fhir-binary'],
    ['application/xml', 'none'],
    ['image/png', 'none'],
  ])('Accept %s on a PDF gives %s', (accept, expected) => {
    expect(chooseRepresentation(accept, 'application/pdf')).toBe(expected);
  });

  it('serves a FHIR Document bundle raw when FHIR JSON is asked', () => {
    expect(chooseRepresentation('application/fhir+json', 'application/fhir+json')).toBe('raw');
  });

  it('serves an XML document raw when its own type is asked', () => {
    expect(chooseRepresentation('text/xml', 'text/xml')).toBe('raw');
  });
});
