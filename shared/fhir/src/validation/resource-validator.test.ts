import { readFixture } from '@dmp/test-fixtures';
import { createResourceValidator, instancePathToFhirPath } from './resource-validator';

function fixture(relative: string): Record<string, unknown> {
  return readFixture<Record<string, unknown>>(...relative.split('/'));
}

const validator = createResourceValidator();

describe('createResourceValidator', () => {
  it.each([
    'mhd-4.2.3/DocumentReference-ex-DocumentReferenceComprehensive.json',
    'mhd-4.2.3/List-ex-compSubmissionSetFull.json',
    'mhd-4.2.3/Bundle-ex-comprehensiveProvideDocumentBundleSimple.json',
    'mhd-4.2.3/AuditEvent-ex-auditFindDocumentReferences-responder.json',
    'balp-1.1.4/Consent-ex-consent.json',
    'mhd-4.2.3/Patient-ex-patient.json',
    'mhd-4.2.3/Binary-ex-binary.json',
  ])('finds no fault in the official example %s', (file) => {
    // Arrange
    const resource = fixture(file);

    // Act
    const faults = validator.validate(resource);

    // Assert
    expect(faults).toEqual([]);
  });

  it('requires an object where the schema describes a complex element', () => {
    const faults = validator.validate({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [null, { request: 5 }],
    });

    expect(faults.map((fault) => fault.expression)).toEqual(
      expect.arrayContaining(['Bundle.entry[0]', 'Bundle.entry[1].request']),
    );
  });

  it('names a wrong datatype deep in a DocumentReference with a FHIRPath, without the value', () => {
    const doc = fixture('mhd-4.2.3/DocumentReference-ex-DocumentReferenceComprehensive.json');
    const content = doc.content as { attachment: Record<string, unknown> }[];
    const first = content[0];
    if (!first) throw new Error('fixture has no content');
    first.attachment.url = 42;

    const faults = validator.validate(doc);

    expect(faults).toContainEqual(
      expect.objectContaining({
        code: 'DMP-RESOURCE-INVALID',
        expression: 'DocumentReference.content[0].attachment.url',
      }),
    );
    expect(JSON.stringify(faults)).not.toContain('42');
  });

  it('reports an unknown element, a bad code and a missing required element', () => {
    const doc = fixture('mhd-4.2.3/DocumentReference-ex-DocumentReferenceComprehensive.json');
    doc.sneaky = 'secret-patient-name';
    doc.status = 'not-a-status';
    delete doc.content;

    const faults = validator.validate(doc, 'Bundle.entry[1].resource');
    const expressions = faults.map((f) => f.expression);

    expect(expressions).toEqual(
      expect.arrayContaining([
        'Bundle.entry[1].resource.sneaky',
        'Bundle.entry[1].resource.status',
        'Bundle.entry[1].resource.content',
      ]),
    );
    expect(JSON.stringify(faults)).not.toContain('secret-patient-name');
    expect(JSON.stringify(faults)).not.toContain('not-a-status');
  });

  it('reports one fault on resourceType for an unknown or missing type', () => {
    expect(validator.validate({ resourceType: 'Banana' })).toEqual([
      expect.objectContaining({ code: 'DMP-RESOURCE-INVALID', expression: 'Banana.resourceType' }),
    ]);
    expect(validator.validate('text')).toHaveLength(1);
    expect(validator.validate({}, 'Bundle.entry[0].resource')[0]?.expression).toBe(
      'Bundle.entry[0].resource.resourceType',
    );
  });

  it('refuses a nested resource without a resourceType (contained, bundle entry)', () => {
    const contained = validator.validate({
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { contentType: 'text/plain' } }],
      contained: [{ id: 'p' }],
    });
    const entry = validator.validate({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: {} }],
    });

    expect(contained.length).toBeGreaterThan(0);
    expect(contained.map((f) => f.expression).join()).toContain('contained');
    expect(entry.length).toBeGreaterThan(0);
  });
});

describe('numbers that JSON parses to Infinity', () => {
  it('are refused with the FHIRPath of the element (1e400 in a decimal)', () => {
    const event = JSON.parse(
      '{"resourceType":"AuditEvent","type":{"code":"rest"},"recorded":"2026-01-01T00:00:00Z",' +
        '"agent":[{"requestor":true}],"source":{"observer":{"display":"x"}},' +
        '"entity":[{"detail":[{"type":"n","valueString":"ok"}],"extension":[{"url":"u","valueDecimal":1e400}]}]}',
    ) as unknown;
    const faults = createResourceValidator().validate(event);

    expect(faults).toEqual([
      expect.objectContaining({
        code: 'DMP-RESOURCE-INVALID',
        expression: 'AuditEvent.entity[0].extension[0].valueDecimal',
      }),
    ]);
  });
});

describe('instancePathToFhirPath', () => {
  it('turns array indexes into brackets and keys into dotted names', () => {
    expect(instancePathToFhirPath('List', '/entry/3/item/reference')).toBe(
      'List.entry[3].item.reference',
    );
    expect(instancePathToFhirPath('Patient', '')).toBe('Patient');
  });
});
