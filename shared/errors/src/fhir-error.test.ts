import { ERROR_CATALOGUE, ERROR_CODE_SYSTEM, FhirError, fhirError, isErrorCode } from './index';

describe('FhirError', () => {
  it('carries the catalogue status and an OperationOutcome naming the element and the code', () => {
    const error = fhirError('DMP-SEARCH-UNKNOWN-PARAMETER', "Unknown parameter 'foo'", 'foo');

    expect(error.status).toBe(400);
    expect(error.code).toBe('DMP-SEARCH-UNKNOWN-PARAMETER');
    const issue = error.outcome.issue[0];
    expect(issue?.code).toBe('not-supported');
    expect(issue?.expression).toEqual(['foo']);
    expect(issue?.details?.coding?.[0]).toMatchObject({
      system: ERROR_CODE_SYSTEM,
      code: 'DMP-SEARCH-UNKNOWN-PARAMETER',
    });
    expect(issue?.diagnostics).toBe("Unknown parameter 'foo'");
  });

  it('reports several faults in one outcome, the first one deciding the status', () => {
    const error = new FhirError([
      { code: 'DMP-RESOURCE-NOT-FOUND' },
      { code: 'DMP-SEARCH-INVALID-VALUE', expression: ['a', 'b'] },
    ]);

    expect(error.status).toBe(404);
    expect(error.outcome.issue).toHaveLength(2);
    expect(error.outcome.issue[1]?.expression).toEqual(['a', 'b']);
  });

  it('keeps extra codings such as IHE XDS error codes in issue.details', () => {
    const xds = { system: 'urn:ihe:event-type-code', code: 'XDSNonIdenticalHash' };
    const error = new FhirError({ code: 'DMP-RESOURCE-INVALID', extraCodings: [xds] });

    expect(error.outcome.issue[0]?.details?.coding).toContainEqual(xds);
  });

  it('refuses to be built without a fault', () => {
    expect(() => new FhirError([])).toThrow(TypeError);
  });
});

describe('error catalogue', () => {
  it('maps every code to an HTTP error status', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(isErrorCode(code)).toBe(true);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
    expect(isErrorCode('NOT-A-CODE')).toBe(false);
  });
});
