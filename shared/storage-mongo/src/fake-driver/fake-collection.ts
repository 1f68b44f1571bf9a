import { Aggregator, Query, update as applyUpdate } from 'mingo';
import { ObjectId } from 'mongodb';
import {
  clone,
  duplicateKey,
  keyOf,
  type Doc,
  type FakeServer,
  type FakeTransaction,
} from './fake-server';

/** The part of a driver session the fake collections read. */
export interface SessionLike {
  fakeTransaction(): FakeTransaction | undefined;
}

interface Options {
  session?: SessionLike;
  projection?: Doc;
  sort?: Doc | [string, 1 | -1][];
  limit?: number;
  upsert?: boolean;
  returnDocument?: 'before' | 'after';
}

/** A driver call yields to the event loop (network I/O), so concurrent callers interleave. */
const io = () => new Promise<void>((resolve) => setImmediate(resolve));

const sortDoc = (sort: Options['sort']): Doc | undefined =>
  Array.isArray(sort) ? Object.fromEntries(sort) : sort;

/** A cursor over an already computed result (sort/limit/project applied lazily by mingo). */
export class FakeCursor {
  private sortSpec: Doc | undefined;
  private limitN = 0;
  private projection: Doc | undefined;
  private position = 0;
  private rows: Doc[] | undefined;
  constructor(
    private readonly compute: (sort?: Doc, limit?: number, projection?: Doc) => Doc[],
    options: Options = {},
  ) {
    this.sortSpec = sortDoc(options.sort);
    this.limitN = options.limit ?? 0;
    this.projection = options.projection;
  }
  sort(spec: Doc): this {
    this.sortSpec = spec;
    return this;
  }
  limit(n: number): this {
    this.limitN = n;
    return this;
  }
  project(projection: Doc): this {
    this.projection = projection;
    return this;
  }
  withReadPreference(): this {
    return this;
  }
  private all(): Doc[] {
    this.rows ??= this.compute(this.sortSpec, this.limitN, this.projection);
    return this.rows;
  }
  toArray(): Promise<Doc[]> {
    return Promise.resolve(this.all().slice(this.position));
  }
  next(): Promise<Doc | null> {
    const row = this.all()[this.position];
    this.position += 1;
    return Promise.resolve(row ?? null);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Doc> {
    for (;;) {
      const row = await this.next();
      if (!row) return;
      yield row;
    }
  }
}

/** The driver's `Collection` methods the adapter and GridFS use, over a {@link FakeServer}. */
export class FakeCollection {
  readonly collectionName: string;
  constructor(
    private readonly server: FakeServer,
    readonly name: string,
  ) {
    this.collectionName = name;
  }

  private enter(op: string, options: Options | undefined, filter?: unknown, update?: unknown) {
    const tx = options?.session?.fakeTransaction();
    const call = { op, collection: this.name, filter, update, inTransaction: tx !== undefined };
    return { tx, failure: this.server.enter(call) };
  }

  private after(failure: { error: () => Error } | undefined): void {
    if (failure) throw failure.error();
  }

  private select(filter: Doc, tx: FakeTransaction | undefined): Doc[] {
    return new Query(filter, {}).find<Doc>(this.server.view(this.name, tx)).all();
  }

  find(filter: Doc = {}, options: Options = {}): FakeCursor {
    const { tx, failure } = this.enter('find', options, filter);
    this.after(failure);
    return new FakeCursor((sort, limit, projection) => {
      let cursor = new Query(filter, {}).find<Doc>(this.server.view(this.name, tx), projection);
      if (sort) cursor = cursor.sort(sort);
      if (limit) cursor = cursor.limit(limit);
      return cursor.all().map((d) => clone(d));
    }, options);
  }

  async findOne(filter: Doc = {}, options: Options = {}): Promise<Doc | null> {
    const { tx, failure } = this.enter('findOne', options, filter);
    let cursor = new Query(filter, {}).find<Doc>(
      this.server.view(this.name, tx),
      options.projection,
    );
    const sort = sortDoc(options.sort);
    if (sort) cursor = cursor.sort(sort);
    const [doc] = cursor.limit(1).all();
    this.after(failure);
    return Promise.resolve(doc ? clone(doc) : null);
  }

  async countDocuments(filter: Doc = {}, options: Options = {}): Promise<number> {
    await io();
    const { tx, failure } = this.enter('countDocuments', options, filter);
    this.after(failure);
    return this.select(filter, tx).length;
  }

  aggregate(pipeline: Doc[], options: Options = {}): FakeCursor {
    const { tx, failure } = this.enter('aggregate', options, pipeline);
    this.after(failure);
    return new FakeCursor(() =>
      new Aggregator(pipeline, {
        collectionResolver: (name: string) => this.server.view(name, tx),
      })
        .run(this.server.view(this.name, tx))
        .map((d) => clone(d)),
    );
  }

  async insertOne(doc: Doc, options: Options = {}): Promise<{ insertedId: unknown }> {
    await io();
    const { tx, failure } = this.enter('insertOne', options, undefined, doc);
    const stored = clone(doc);
    stored._id ??= new ObjectId();
    const key = keyOf(stored._id);
    if (this.server.view(this.name, tx).some((d) => keyOf(d._id) === key)) {
      throw duplicateKey(this.name);
    }
    this.server.write(this.name, stored, key, tx);
    this.after(failure);
    return { insertedId: stored._id };
  }

  async replaceOne(filter: Doc, doc: Doc, options: Options = {}) {
    await io();
    const { tx, failure } = this.enter('replaceOne', options, filter, doc);
    const [current] = this.select(filter, tx);
    if (current)
      this.server.write(this.name, { ...clone(doc), _id: current._id }, keyOf(current._id), tx);
    this.after(failure);
    return { matchedCount: current ? 1 : 0, modifiedCount: current ? 1 : 0 };
  }

  async updateOne(filter: Doc, update: Doc | Doc[], options: Options = {}) {
    await io();
    const { tx, failure } = this.enter('updateOne', options, filter, update);
    const [current] = this.select(filter, tx);
    let matched = 0;
    if (current) {
      matched = 1;
      this.server.write(this.name, this.updated(current, update), keyOf(current._id), tx);
    } else if (options.upsert) {
      const fresh = { ...equalities(filter), ...((update as Doc).$setOnInsert as Doc) };
      this.server.write(this.name, fresh, keyOf(fresh._id), tx);
    }
    this.after(failure);
    return { matchedCount: matched, modifiedCount: matched };
  }

  async findOneAndUpdate(filter: Doc, update: Doc | Doc[], options: Options = {}) {
    const [current] = this.select(filter, options.session?.fakeTransaction());
    await this.updateOne(filter, update, options);
    if (!current) return null;
    const [after] = this.select({ _id: current._id }, options.session?.fakeTransaction());
    return options.returnDocument === 'after' ? (after ?? null) : current;
  }

  async deleteOne(filter: Doc, options: Options = {}) {
    await io();
    const { tx, failure } = this.enter('deleteOne', options, filter);
    const [current] = this.select(filter, tx);
    if (current) this.server.write(this.name, null, keyOf(current._id), tx);
    this.after(failure);
    return { deletedCount: current ? 1 : 0 };
  }

  async deleteMany(filter: Doc, options: Options = {}) {
    await io();
    const { tx, failure } = this.enter('deleteMany', options, filter);
    const found = this.select(filter, tx);
    for (const doc of found) this.server.write(this.name, null, keyOf(doc._id), tx);
    this.after(failure);
    return { deletedCount: found.length };
  }

  async bulkWrite(operations: { updateOne: { filter: Doc; update: Doc } }[]) {
    for (const op of operations) await this.updateOne(op.updateOne.filter, op.updateOne.update);
    return { ok: 1 };
  }

  createIndexes(indexes: { key: Doc; name: string; unique?: boolean }[]): Promise<string[]> {
    for (const index of indexes) this.createIndexSync(index.key, index.unique, index.name);
    return Promise.resolve(indexes.map((i) => i.name));
  }

  createIndex(key: Doc, options: { unique?: boolean } = {}): Promise<string> {
    return Promise.resolve(this.createIndexSync(key, options.unique));
  }

  listIndexes() {
    return new FakeCursor(() => (this.server.indexes.get(this.name) ?? []).map((i) => ({ ...i })));
  }

  private createIndexSync(key: Doc, unique?: boolean, name = Object.keys(key).join('_')): string {
    const list = this.server.indexes.get(this.name) ?? [];
    if (!list.some((i) => i.name === name)) list.push({ key, name, ...(unique ? { unique } : {}) });
    this.server.indexes.set(this.name, list);
    if (unique) {
      const uniques = this.server.uniqueIndexes.get(this.name) ?? [];
      uniques.push(Object.keys(key));
      this.server.uniqueIndexes.set(this.name, uniques);
    }
    return name;
  }

  private updated(current: Doc, update: Doc | Doc[]): Doc {
    if (Array.isArray(update)) {
      const [result] = new Aggregator(update, {}).run([clone(current)]);
      return result as Doc;
    }
    const next = clone(current);
    const { $setOnInsert: _ignored, ...operators } = update;
    applyUpdate(next, operators);
    return next;
  }
}

/** Top-level equality conditions of a filter (the fields an upsert inserts). */
function equalities(filter: Doc): Doc {
  return Object.fromEntries(
    Object.entries(filter).filter(
      ([k, v]) =>
        !k.startsWith('$') && (typeof v !== 'object' || v === null || v instanceof ObjectId),
    ),
  );
}
