import type { CodeableConcept, Coding } from 'fhir/r4';

/** HL7 v3 Confidentiality (N/R/V): the one system we store for those codes. */
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
/** NOS TRE_A08, the same code system (OID 2.16.840.1.113883.5.25) under the French URL. */
export const TRE_A08_SYSTEM =
  'https://mos.esante.gouv.fr/NOS/TRE_A08-HL7Confidentiality/FHIR/TRE-A08-HL7Confidentiality';
const CONFIDENTIALITY_ALIASES = new Set([
  CONFIDENTIALITY_SYSTEM,
  TRE_A08_SYSTEM,
  'urn:oid:2.16.840.1.113883.5.25',
]);
const CONFIDENTIALITY_CODES = new Set(['U', 'L', 'M', 'N', 'R', 'V']);

/** At most one confidentiality code plus three visibility flags per document (DMP model). */
export const MAX_SECURITY_LABELS = 4;

function normalizeCoding(coding: Coding): Coding {
  if (coding.system !== undefined && CONFIDENTIALITY_ALIASES.has(coding.system)) {
    return { ...coding, system: CONFIDENTIALITY_SYSTEM };
  }
  // PDSm examples put N/R/V under TRE_A07 (a known defect): they are confidentiality codes.
  if (coding.system?.includes('TRE_A07') && coding.code && CONFIDENTIALITY_CODES.has(coding.code)) {
    return { ...coding, system: CONFIDENTIALITY_SYSTEM };
  }
  return coding;
}

function labelKey(label: CodeableConcept): string {
  return (label.coding ?? [])
    .map((coding) => `${coding.system ?? ''}|${coding.code ?? ''}`)
    .sort()
    .join(',');
}

/** Same code under either N/R/V system URL counts once; duplicates are dropped, order kept. */
export function normalizeSecurityLabels(labels: readonly CodeableConcept[]): CodeableConcept[] {
  const seen = new Set<string>();
  const result: CodeableConcept[] = [];
  for (const label of labels) {
    const normalized = label.coding
      ? { ...label, coding: label.coding.map(normalizeCoding) }
      : label;
    const key = labelKey(normalized);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(normalized);
  }
  return result;
}

/** How many labels carry a confidentiality (N/R/V…) code. */
export function confidentialityCount(labels: readonly CodeableConcept[]): number {
  return labels.filter((label) =>
    (label.coding ?? []).some((coding) => coding.system === CONFIDENTIALITY_SYSTEM),
  ).length;
}

/** The codes of a document's labels (confidentiality and visibility flags). */
export function securityLabelCodes(labels: readonly CodeableConcept[]): string[] {
  return labels.flatMap((label) =>
    (label.coding ?? []).flatMap((coding) => (coding.code !== undefined ? [coding.code] : [])),
  );
}
