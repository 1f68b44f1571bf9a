import type { Identifier } from 'fhir/r4';
import { localReference } from './local-reference';

/**
 * FHIR R4 transaction conditional references (http.html#trules): in a transaction a reference
 * may be a search, `[type]?criteria`, relative to the server base, that the server runs and
 * replaces with a literal reference to the one resource it finds. The DMP's clients name the
 * patient this way: `Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|<INS>`. Patients are matched
 * by identifier only; an OR list (`identifier=a,b`) is a search like any other (several matches
 * are refused when it is resolved).
 */
export type ConditionalPatient =
  { ok: true; identifiers: Identifier[] } | { ok: false; reason: string };

/** A reference written as a search (`Type?…`), relative or under `baseUrl`. */
export function isConditionalReference(reference: string | undefined, baseUrl = ''): boolean {
  return reference !== undefined && /^[A-Za-z]+\?/.test(localReference(reference, baseUrl));
}

/**
 * The identifiers (alternatives) a conditional Patient reference searches for, or why it is not
 * one this server resolves; undefined when the reference is not conditional.
 */
export function conditionalPatientOf(
  reference: string,
  baseUrl = '',
): ConditionalPatient | undefined {
  const local = localReference(reference, baseUrl);
  if (!isConditionalReference(local)) return undefined;
  const [type, query = ''] = local.split(/\?(.*)/s, 2);
  if (type !== 'Patient') {
    return { ok: false, reason: 'is a conditional reference to another type than Patient' };
  }
  const params = new URLSearchParams(query);
  const names = [...params.keys()];
  const values = params.getAll('identifier');
  if (names.some((name) => name !== 'identifier') || values.length !== 1 || !values[0]) {
    return {
      ok: false,
      reason: 'is a conditional reference: it searches Patient by one identifier parameter only',
    };
  }
  const identifiers = values[0].split(',').map((token): Identifier => {
    const bar = token.indexOf('|');
    if (bar < 0) return { value: token };
    const system = token.slice(0, bar);
    return { ...(system ? { system } : {}), value: token.slice(bar + 1) };
  });
  return { ok: true, identifiers };
}
