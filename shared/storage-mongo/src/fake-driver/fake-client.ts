import { MongoError, MongoErrorLabel, type MongoClient } from 'mongodb';
import { FakeCollection, type SessionLike } from './fake-collection';
import type { FakeServer } from './fake-server';
import { FakeTransaction } from './fake-server';

/** A driver session over the fake server: transactions as MongoDB's (snapshot, write conflicts). */
export class FakeSession implements SessionLike {
  private tx: FakeTransaction | undefined;
  constructor(private readonly server: FakeServer) {}
  fakeTransaction(): FakeTransaction | undefined {
    return this.tx;
  }
  startTransaction(): void {
    this.server.enter({ op: 'startTransaction', collection: '', inTransaction: false });
    this.tx = new FakeTransaction(this.server);
  }
  inTransaction(): boolean {
    return this.tx !== undefined;
  }
  commitTransaction(): Promise<void> {
    const tx = this.tx;
    let failure;
    try {
      failure = this.server.enter({
        op: 'commitTransaction',
        collection: '',
        inTransaction: true,
      });
    } catch (error) {
      // A refused commit aborts the transaction; one whose outcome is unknown (the server may
      // not have received it) leaves it open, to be committed again.
      if (!outcomeUnknown(error)) {
        if (tx) this.server.release(tx);
        this.tx = undefined;
      }
      throw error;
    }
    if (tx) this.server.commit(tx);
    this.tx = undefined;
    if (failure) return Promise.reject(failure.error());
    return Promise.resolve();
  }
  abortTransaction(): Promise<void> {
    if (this.tx) this.server.release(this.tx);
    this.tx = undefined;
    return Promise.resolve();
  }
  endSession(): Promise<void> {
    return this.abortTransaction();
  }
}

/** The `Db` methods the adapter and the driver's GridFS use. */
export class FakeDb {
  readonly readConcern = undefined;
  readonly writeConcern = undefined;
  readonly readPreference = undefined;
  readonly bsonOptions = {};
  constructor(
    private readonly server: FakeServer,
    readonly databaseName: string,
  ) {}
  collection(name: string): FakeCollection {
    return new FakeCollection(this.server, name);
  }
  createCollection(): Promise<void> {
    return Promise.resolve();
  }
  command(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    if ('hello' in command)
      return Promise.resolve({ ok: 1, setName: 'rs0', isWritablePrimary: true });
    return Promise.resolve({ ok: 1 });
  }
}

/** A `MongoClient` stand-in: every handle made on one server shares its data (instances). */
export function fakeClient(server: FakeServer): MongoClient {
  const client = {
    connect: () => Promise.resolve(client),
    db: (name: string) => new FakeDb(server, name),
    startSession: () => new FakeSession(server),
    close: () => Promise.resolve(),
  };
  return client as unknown as MongoClient;
}

function outcomeUnknown(error: unknown): boolean {
  return (
    error instanceof MongoError &&
    (error.name.startsWith('MongoNetwork') ||
      error.hasErrorLabel(MongoErrorLabel.UnknownTransactionCommitResult))
  );
}
