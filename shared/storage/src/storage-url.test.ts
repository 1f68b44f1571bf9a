import path from 'node:path';
import { defaultStorageUrl, parseStorageUrl } from './storage-url';

describe('parseStorageUrl', () => {
  it('reads a SQLite file and puts the blobs beside it', () => {
    const location = parseStorageUrl('sqlite:data/documents/documents.sqlite');

    expect(location).toEqual({
      kind: 'sqlite',
      file: path.resolve('data/documents/documents.sqlite'),
      blobDir: path.resolve('data/documents/blobs'),
    });
  });

  it('recognises MongoDB URLs', () => {
    expect(parseStorageUrl('mongodb://h1,h2/dmp?replicaSet=rs0')).toEqual({
      kind: 'mongodb',
      url: 'mongodb://h1,h2/dmp?replicaSet=rs0',
    });
  });

  it('rejects anything else', () => {
    expect(() => parseStorageUrl('postgres://x')).toThrow('storage URL must be');
    expect(() => parseStorageUrl('sqlite:')).toThrow('storage URL must be');
  });

  it('defaults to one database file per service under the data directory', () => {
    expect(defaultStorageUrl('./data', 'audit')).toBe(
      `sqlite:${path.join('data', 'audit', 'audit.sqlite')}`,
    );
  });
});
