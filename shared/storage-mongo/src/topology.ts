/**
 * Multi-document transactions need a replica set (or a sharded cluster, whose shards are replica
 * sets). A standalone server accepts the connection but fails on the first transaction; the store
 * checks at start and refuses it with a message that says what to do.
 */
export interface HelloReply {
  setName?: unknown;
  msg?: unknown;
  logicalSessionTimeoutMinutes?: unknown;
}

export class StandaloneServerError extends Error {
  override name = 'StandaloneServerError';
}

export function assertTransactionalTopology(hello: HelloReply): 'replica-set' | 'sharded' {
  if (hello.msg === 'isdbgrid') return 'sharded';
  if (typeof hello.setName === 'string' && hello.setName !== '') return 'replica-set';
  throw new StandaloneServerError(
    'MongoDB storage needs a replica set (multi-document transactions): the server at this URL ' +
      'is a standalone. Start mongod with --replSet <name> and run rs.initiate() once (a ' +
      'single-member replica set is enough), or point the storage URL at a replica set or a ' +
      'sharded cluster (see docker/compose.yaml).',
  );
}
