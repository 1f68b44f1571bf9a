import type { Identifier, Reference } from 'fhir/r4';
import { INS_NIR_SYSTEM } from '@dmp/fhir';
import { conditionalPatientOf } from './conditional-reference';
import { localReference } from './local-reference';

/**
 * A comparable key for "which patient" a reference designates, so that every entry of a
 * submission can be checked to name one and the same patient:
 * - `urn:uuid:` → the bundled Patient entry (`bundle:<fullUrl>`);
 * - `Patient/x` and `[our base]/Patient/x` → `Patient/x`; another server's URL → the URL;
 * - a logical reference, or a conditional one searching one identifier (`Patient?identifier=`)
 *   → `identifier:<system>|<value>` (the INS for French documents; no system: the INS-NIR);
 *   a conditional reference searching several identifiers → `conditional:<them, sorted>`.
 */
export type PatientKeyResult =
  | { ok: true; key: string }
  | { ok: false; reason: string; xds: 'XDSUnknownPatientId' | 'XDSPatientIdDoesNotMatch' };

export function patientKeyOf(
  reference: Reference,
  context: { baseUrl: string; bundledPatients: ReadonlySet<string> },
): PatientKeyResult {
  const literal = reference.reference;
  if (literal !== undefined) {
    if (literal.startsWith('urn:uuid:') || literal.startsWith('urn:oid:')) {
      return context.bundledPatients.has(literal)
        ? { ok: true, key: `bundle:${literal}` }
        : {
            ok: false,
            reason: 'does not resolve to a Patient of the bundle',
            xds: 'XDSUnknownPatientId',
          };
    }
    if (literal.startsWith('#')) {
      return {
        ok: false,
        reason: 'the subject may not be a contained Patient',
        xds: 'XDSUnknownPatientId',
      };
    }
    const conditional = conditionalPatientOf(literal, context.baseUrl);
    if (conditional) {
      return conditional.ok
        ? { ok: true, key: keyOfIdentifiers(conditional.identifiers) }
        : { ok: false, reason: conditional.reason, xds: 'XDSUnknownPatientId' };
    }
    const local = localReference(literal, context.baseUrl);
    const match = /(^|\/)Patient\/[A-Za-z0-9\-.]{1,64}$/.exec(local);
    if (!match) {
      return { ok: false, reason: 'must reference a Patient', xds: 'XDSUnknownPatientId' };
    }
    return { ok: true, key: local };
  }
  const identifier = reference.identifier;
  if (identifier?.value !== undefined) return { ok: true, key: keyOfIdentifiers([identifier]) };
  return {
    ok: false,
    reason: 'names no patient (no reference, no identifier)',
    xds: 'XDSUnknownPatientId',
  };
}

function keyOfIdentifiers(identifiers: readonly Identifier[]): string {
  const tokens = identifiers.map((i) => `${i.system ?? INS_NIR_SYSTEM}|${i.value ?? ''}`).sort();
  return tokens.length === 1 ? `identifier:${tokens[0] ?? ''}` : `conditional:${tokens.join(',')}`;
}

/**
 * The patient a submission names, as the decision point resolves it: a `Patient/<id>` of this
 * server (relative or under our base), a conditional reference (`Patient?identifier=…`, searched
 * by the resolution as a FHIR transaction does), an INS identifier, or a reference and an
 * identifier (they must agree); a Patient carried in the bundle (`urn:uuid:`) by the INS it
 * carries (`bundledIdentifier`). Anything else is passed on as it is and refused by the
 * resolution (no patient of this DMP).
 */
export function decisionPatientOf(
  subject: Reference,
  baseUrl: string,
  bundledIdentifier: (fullUrl: string) => Identifier | undefined,
): Reference {
  const identifier = subject.identifier?.value !== undefined ? subject.identifier : undefined;
  const literal = subject.reference;
  if (literal === undefined) return identifier ? { identifier } : {};
  if (literal.startsWith('urn:')) {
    const bundled = identifier ?? bundledIdentifier(literal);
    return bundled ? { identifier: bundled } : {};
  }
  const local = localReference(literal, baseUrl);
  return { reference: local, ...(identifier ? { identifier } : {}) };
}
