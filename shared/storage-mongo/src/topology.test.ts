import { assertTransactionalTopology, StandaloneServerError } from './topology';
import { databaseFromUrl } from './connect';

describe('topology check at start', () => {
  it('accepts a replica set member and a mongos', () => {
    expect(assertTransactionalTopology({ setName: 'rs0', isWritablePrimary: true } as never)).toBe(
      'replica-set',
    );
    expect(assertTransactionalTopology({ msg: 'isdbgrid' })).toBe('sharded');
  });

  it('refuses a standalone server with a message that says how to fix it', () => {
    expect(() => assertTransactionalTopology({ logicalSessionTimeoutMinutes: 30 })).toThrow(
      StandaloneServerError,
    );
    expect(() => assertTransactionalTopology({})).toThrow(/replica set.*standalone.*--replSet/s);
  });
});

describe('databaseFromUrl', () => {
  it('reads the path of the URL, else nothing', () => {
    expect(databaseFromUrl('mongodb://a:27017,b:27017/documents?replicaSet=rs0')).toBe('documents');
    expect(databaseFromUrl('mongodb+srv://cluster.example.org/audit')).toBe('audit');
    expect(databaseFromUrl('mongodb://localhost:27017/?replicaSet=rs0')).toBeUndefined();
    expect(databaseFromUrl('mongodb://localhost')).toBeUndefined();
  });
});
