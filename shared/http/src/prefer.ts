import type { Prefer } from './route';

/** Parses the `Prefer` header (RFC 7240) for the FHIR `return` and `handling` preferences. */
export function parsePrefer(header: string | string[] | undefined): Prefer {
  const prefer: Prefer = {};
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const token of text.split(/[,;]/)) {
    const [name, rawValue] = token.split('=').map((part) => part.trim().toLowerCase());
    const value = rawValue?.replace(/^"|"$/g, '');
    if (name === 'return') {
      if (value === 'minimal' || value === 'representation') prefer.return = value;
      if (value === 'operationoutcome') prefer.return = 'OperationOutcome';
    } else if (name === 'handling' && (value === 'strict' || value === 'lenient')) {
      prefer.handling = value;
    }
  }
  return prefer;
}
