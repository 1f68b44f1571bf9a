import type { AuditEvent } from 'fhir/r4';

const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
const IDNAT_PS = 'urn:oid:1.2.250.1.71.4.2.1';

/** The patient INS of bench patient `n` (not a valid INS key: the audit log does not check it). */
export function benchIns(n: number): string {
  return `2${String(n).padStart(14, '0')}`;
}

/** A DMP-style ITI-68 read event (SPEC D.5 shape), deterministic from its inputs. */
export function benchEvent(patient: number, professional: number, recorded: Date): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106' },
    subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-68' }],
    action: 'R',
    recorded: recorded.toISOString(),
    outcome: '0',
    agent: [
      {
        type: {
          coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110152' }],
        },
        who: { display: 'LPS' },
        requestor: false,
        network: { address: `10.0.${professional % 250}.${patient % 250}`, type: '2' },
      },
      {
        who: {
          type: 'Practitioner',
          identifier: { system: IDNAT_PS, value: `8100${String(professional).padStart(8, '0')}` },
        },
        name: `Dr ${professional}`,
        requestor: true,
        role: [{ coding: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }] }],
        purposeOfUse: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' },
            ],
          },
        ],
      },
    ],
    source: { observer: { display: 'DMP documents service' } },
    entity: [
      {
        what: { type: 'Patient', identifier: { system: INS_SYSTEM, value: benchIns(patient) } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
      },
      {
        what: { reference: `DocumentReference/doc-${patient}-${professional}` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3' },
      },
    ],
  };
}

export { INS_SYSTEM };
