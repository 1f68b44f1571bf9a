import { listedDocumentId } from './submission-links';

describe('the document a List entry names (for redaction)', () => {
  it('reads the id from every form a stored reference may take', () => {
    for (const reference of [
      'DocumentReference/d-1',
      'http://127.0.0.1:8081/fhir/DocumentReference/d-1',
      'https://another.example/fhir/DocumentReference/d-1',
      'DocumentReference/d-1/_history/3',
      'https://dmp.example/fhir/DocumentReference/d-1/_history/3',
    ]) {
      expect(listedDocumentId(reference)).toBe('d-1');
    }
  });

  it('names no document for other targets', () => {
    for (const reference of [undefined, '', 'List/l-1', '#contained', 'urn:uuid:x', 'Binary/d-1']) {
      expect(listedDocumentId(reference)).toBeUndefined();
    }
  });
});
