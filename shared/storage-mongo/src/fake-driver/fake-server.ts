import { MongoErrorLabel, MongoServerError, ObjectId } from 'mongodb';

/**
 * Test double of a MongoDB replica set, for tests of the adapter's real code paths without a
 * server (it doubles the driver and server, which we do not own; never our own code). Data lives
 * in memory; queries and updates are evaluated by mingo. Transactions are snapshot-isolated the
 * way MongoDB's are: a transaction reads a copy of the data taken at its first operation and
 * keeps its writes to itself until commit; writing a document that another open transaction
 * wrote, or that was committed after the snapshot, fails at once with WriteConflict (112,
 * TransientTransactionError). `$$NOW` is the machine's clock. `failures` injects driver errors before or after any operation.
 */
export type Doc = Record<string, unknown>;

export interface Call {
  op: string;
  collection: string;
  filter?: unknown;
  update?: unknown;
  inTransaction: boolean;
}

export interface Failure {
  op: string;
  collection?: string;
  /** Only inside (true) or outside (false) a transaction. */
  inTransaction?: boolean;
  /** `after`: the operation is applied, then the error is thrown (a commit that landed). */
  when?: 'before' | 'after';
  /** How many times (default 1). */
  times?: number;
  error: () => Error;
}

export function keyOf(id: unknown): string {
  if (id instanceof ObjectId) return `oid:${id.toHexString()}`;
  return `${typeof id}:${JSON.stringify(id)}`;
}

export function clone<T>(value: T): T {
  if (value instanceof ObjectId) return new ObjectId(value.toHexString()) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => clone(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Doc = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = clone(v);
    return out as T;
  }
  return value;
}

export const writeConflict = () =>
  new MongoServerError({
    ok: 0,
    code: 112,
    codeName: 'WriteConflict',
    errmsg: 'WriteConflict error: this operation conflicted with another operation',
    errorLabels: [MongoErrorLabel.TransientTransactionError],
  });

export const duplicateKey = (collection: string) =>
  new MongoServerError({
    ok: 0,
    code: 11000,
    errmsg: `E11000 duplicate key error collection: ${collection}`,
  });

type Collections = Map<string, Map<string, Doc>>;

/** One session's open transaction: its snapshot and its own writes. */
export class FakeTransaction {
  snapshot: Collections | undefined;
  snapshotTs = 0;
  readonly writes = new Map<string, Map<string, Doc | null>>();
  constructor(readonly server: FakeServer) {}

  begin(): void {
    if (this.snapshot) return;
    this.snapshot = this.server.copyData();
    this.snapshotTs = this.server.ts;
  }
}

export class FakeServer {
  private data: Collections = new Map();
  /** Commit time of each document's last write. */
  private written = new Map<string, number>();
  /** Documents written by open transactions. */
  private locks = new Map<string, FakeTransaction>();
  readonly uniqueIndexes = new Map<string, string[][]>();
  readonly indexes = new Map<string, { key: Doc; name: string; unique?: boolean }[]>();
  ts = 0;
  readonly calls: Call[] = [];
  readonly failures: Failure[] = [];

  copyData(): Collections {
    const copy: Collections = new Map();
    for (const [name, docs] of this.data) {
      copy.set(name, new Map([...docs].map(([k, d]) => [k, clone(d)])));
    }
    return copy;
  }

  /** Records the call and throws an injected failure due `before` it. */
  enter(call: Call): Failure | undefined {
    this.calls.push(call);
    const at = this.failures.findIndex(
      (f) =>
        f.op === call.op &&
        (f.collection === undefined || f.collection === call.collection) &&
        (f.inTransaction === undefined || f.inTransaction === call.inTransaction),
    );
    if (at < 0) return undefined;
    const failure = this.failures[at] as Failure;
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) this.failures.splice(at, 1);
    if ((failure.when ?? 'before') === 'before') throw failure.error();
    return failure;
  }

  /** The documents a reader sees: committed ones, or the transaction's snapshot and writes. */
  view(collection: string, tx: FakeTransaction | undefined): Doc[] {
    if (!tx) return [...(this.data.get(collection)?.values() ?? [])];
    tx.begin();
    const base = new Map(tx.snapshot?.get(collection) ?? []);
    for (const [key, doc] of tx.writes.get(collection) ?? []) {
      if (doc === null) base.delete(key);
      else base.set(key, doc);
    }
    return [...base.values()];
  }

  /** Writes one document (null: deletes it), as MongoDB checks conflicts and unique keys. */
  write(collection: string, doc: Doc | null, key: string, tx: FakeTransaction | undefined): void {
    const lockKey = `${collection}/${key}`;
    if (doc) this.checkUnique(collection, doc, key, tx);
    if (!tx) {
      const holder = this.locks.get(lockKey);
      if (holder) throw writeConflict();
      this.apply(collection, key, doc, (this.ts += 1));
      return;
    }
    tx.begin();
    const holder = this.locks.get(lockKey);
    if ((holder && holder !== tx) || (this.written.get(lockKey) ?? 0) > tx.snapshotTs) {
      throw writeConflict();
    }
    this.locks.set(lockKey, tx);
    let writes = tx.writes.get(collection);
    if (!writes) tx.writes.set(collection, (writes = new Map<string, Doc | null>()));
    writes.set(key, doc === null ? null : clone(doc));
  }

  commit(tx: FakeTransaction): void {
    const at = (this.ts += 1);
    for (const [collection, writes] of tx.writes) {
      for (const [key, doc] of writes) this.apply(collection, key, doc, at);
    }
    this.release(tx);
  }

  release(tx: FakeTransaction): void {
    for (const [key, holder] of this.locks) if (holder === tx) this.locks.delete(key);
    tx.writes.clear();
    tx.snapshot = undefined;
  }

  /** Committed documents (back door for assertions). */
  docs(collection: string): Doc[] {
    return this.view(collection, undefined).map((d) => clone(d));
  }

  private apply(collection: string, key: string, doc: Doc | null, at: number): void {
    let docs = this.data.get(collection);
    if (!docs) this.data.set(collection, (docs = new Map<string, Doc>()));
    if (doc === null) docs.delete(key);
    else docs.set(key, clone(doc));
    this.written.set(`${collection}/${key}`, at);
  }

  private checkUnique(
    collection: string,
    doc: Doc,
    key: string,
    tx: FakeTransaction | undefined,
  ): void {
    for (const fields of this.uniqueIndexes.get(collection) ?? []) {
      const value = JSON.stringify(fields.map((f) => doc[f]));
      const clash = this.view(collection, tx).some(
        (other) =>
          keyOf(other._id) !== key && JSON.stringify(fields.map((f) => other[f])) === value,
      );
      if (clash) throw duplicateKey(collection);
    }
  }
}
