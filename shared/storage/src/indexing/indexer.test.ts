import type { DocumentReference, List, Patient, Resource } from 'fhir/r4';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { readFixture } from '@dmp/test-fixtures';
import { compileExpression } from './evaluator';
import type { IndexEntry } from './index-entry';
import { createIndexer } from './indexer';

const fixture = <T extends Resource>(file: string): T => readFixture<T>(...file.split('/'));

const indexer = createIndexer(SEARCH_PARAMETERS);
const of = (entries: IndexEntry[], param: string) =>
  entries.filter((e) => e.param === param).map(({ param: _p, kind: _k, ...rest }) => rest);

describe('createIndexer().extract on MHD / PDSm examples', () => {
  const comprehensive = fixture<DocumentReference>(
    'mhd-4.2.3/DocumentReference-ex-DocumentReferenceComprehensive.json',
  );
  const entries = indexer.extract(comprehensive);

  it('indexes tokens from code, Identifier and CodeableConcept with their systems', () => {
    expect(of(entries, 'status')).toEqual([{ system: null, code: 'current' }]);
    expect(of(entries, 'type')).toEqual([{ system: 'http://loinc.org', code: '55107-7' }]);
    expect(of(entries, 'identifier')).toEqual([
      { system: 'urn:ietf:rfc:3986', code: comprehensive.masterIdentifier?.value },
      { system: 'urn:ietf:rfc:3986', code: 'urn:uuid:0c287d32-01e3-4d87-9953-9fcc9404eb21' },
    ]);
    expect(of(entries, 'format')).toEqual([
      {
        system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode',
        code: 'urn:ihe:iti:xds-sd:text:2008',
      },
    ]);
    expect(of(entries, '_id')).toEqual([
      { system: null, code: 'ex-DocumentReferenceComprehensive' },
    ]);
  });

  it('indexes dateTimes with their precision in UTC and Periods as ranges', () => {
    expect(of(entries, 'date')).toEqual([
      { low: '2021-01-01T04:50:50.000Z', high: '2021-01-01T04:50:51.000Z' },
    ]);
    expect(of(entries, 'period')).toEqual([
      { low: '2021-01-01T04:50:50.000Z', high: '2021-01-01T04:50:51.000Z' },
    ]);
  });

  it('indexes references relative, contained as #id, and only Patient ones under patient', () => {
    expect(of(entries, 'patient')).toEqual([{ ref: 'Patient/ex-patient' }]);
    expect(of(entries, 'author')).toEqual([{ ref: '#in-author' }]);
    expect(of(entries, 'relatesto')).toEqual([{ ref: 'DocumentReference/ex-documentreference' }]);
  });

  it('resolves chains through the contained author and the logical subject identifier', () => {
    const pdsm = fixture<DocumentReference>(
      'pdsm-3.1.1/examples/DocumentReference-exemple-pdsm-documentreference.json',
    );
    const doc: DocumentReference = {
      ...pdsm,
      author: [{ reference: '#practitioner-example' }],
      subject: {
        reference: 'Patient/fr-patient-123',
        identifier: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: '1800175123456' },
      },
    };
    const extracted = indexer.extract(doc);
    expect(of(extracted, 'author.family')).toEqual([{ folded: 'leclerc', exact: 'Leclerc' }]);
    expect(of(extracted, 'author.given')).toEqual([{ folded: 'sophie', exact: 'Sophie' }]);
    expect(of(extracted, 'patient.identifier')).toEqual([
      { system: 'urn:oid:1.2.250.1.213.1.4.8', code: '1800175123456' },
    ]);
    expect(of(extracted, 'description')).toEqual([
      {
        folded: 'compte rendu d’hospitalisation suite a une chirurgie.',
        exact: 'Compte rendu d’hospitalisation suite à une chirurgie.',
      },
    ]);
  });

  it('a logical-only subject (type + identifier) is a patient with an identifier chain value', () => {
    const doc: DocumentReference = {
      ...comprehensive,
      subject: { type: 'Patient', identifier: { system: 'urn:ins', value: '42' } },
    };
    const extracted = indexer.extract(doc);
    expect(of(extracted, 'patient')).toEqual([]);
    expect(of(extracted, 'patient.identifier')).toEqual([{ system: 'urn:ins', code: '42' }]);
  });

  it('indexes List extensions evaluated by fhirpath (sourceId as an Identifier token)', () => {
    const list = fixture<List>('mhd-4.2.3/List-ex-minimalSubmissionSet.json');
    const extracted = indexer.extract(list);
    expect(of(extracted, 'sourceId')).toEqual([{ system: null, code: 'urn:oid:1.2.3.4' }]);
    expect(of(extracted, 'code')).toEqual([
      { system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes', code: 'submissionset' },
    ]);
    expect(indexer.identifierParameters('List')).toEqual(['identifier', 'sourceId']);
  });

  it('indexes HumanName parts as folded and exact strings', () => {
    const patient = fixture<Patient>('pdsm-3.1.1/examples/Patient-fr-patient-123.json');
    const extracted = indexer.extract(patient);
    expect(of(extracted, 'family')).toEqual([{ folded: 'claire', exact: 'Claire' }]);
    expect(of(extracted, 'name')).toEqual([
      { folded: 'claire', exact: 'Claire' },
      { folded: 'martin', exact: 'Martin' },
    ]);
    expect(of(extracted, 'birthdate')).toEqual([
      { low: '1980-01-15T00:00:00.000Z', high: '1980-01-16T00:00:00.000Z' },
    ]);
  });

  it('an unknown resource type yields only _id and _lastUpdated', () => {
    const entries = indexer.extract({
      resourceType: 'Basic',
      id: 'b1',
      meta: { lastUpdated: '2024-01-01T00:00:00.000Z' },
      code: { text: 'x' },
    } as Resource);
    expect(entries.map((e) => e.param)).toEqual(['_id', '_lastUpdated']);
  });
});

describe('compileExpression fast path', () => {
  const examples = [
    'mhd-4.2.3/DocumentReference-ex-DocumentReferenceComprehensive.json',
    'pdsm-3.1.1/examples/DocumentReference-exemple-pdsm-documentreference.json',
    'mhd-4.2.3/List-ex-compSubmissionSetFull.json',
    'pdsm-3.1.1/examples/Patient-fr-patient-123.json',
  ].map((file) => fixture<Resource>(file));

  it('selects the same values as fhirpath.js for every registered expression', () => {
    for (const resource of examples) {
      for (const definition of SEARCH_PARAMETERS[resource.resourceType] ?? []) {
        const fast = compileExpression(definition.expression)(resource).map((v) => v.value);
        const slow = compileExpression(definition.expression, { fastPath: false })(resource).map(
          (v) => v.value,
        );
        expect([definition.code, fast]).toEqual([definition.code, slow]);
      }
    }
  });
});
