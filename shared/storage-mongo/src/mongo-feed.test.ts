import { MongoServerError, ObjectId } from 'mongodb';
import type { ResourceStore } from '@dmp/storage';
import { CHANGE_FEED, META } from './collections';
import type { MongoContext } from './context';
import { fakeClient, type FakeSession } from './fake-driver/fake-client';
import { FakeServer, type Doc } from './fake-driver/fake-server';
import { openFakeStore } from './fake-driver/fake-store';
import { FEED_COUNTER, hasPending, NUMBERING_BATCH, numberPending } from './mongo-feed';
import { runTransaction } from './transactions';

/**
 * The MongoDB change feed's numbering on the real adapter over the fake server (snapshots and
 * write conflicts as MongoDB's, filters evaluated by mingo): entries are inserted without a
 * number, numbered after the commit or by the next `head()`/`read()` on any handle, gapless and
 * once each, also when two handles number at the same time, when the appender never numbered
 * its entry, and when an entry commits after a numbering pass took its snapshot.
 */
const entries = (server: FakeServer) => server.docs(CHANGE_FEED);
const counter = (server: FakeServer) =>
  server.docs(META).find((doc) => doc._id === FEED_COUNTER)?.seq;
const payloads = (server: FakeServer) =>
  entries(server)
    .sort((a, b) => ((a.seq as number | null) ?? Infinity) - ((b.seq as number | null) ?? Infinity))
    .map((doc) => [doc.seq, JSON.parse(doc.json as string) as unknown]);

/** Fails the store's next numbering after a commit (its probe for pending entries). */
const failNextNumbering = (server: FakeServer, times = 1) =>
  server.failures.push({
    op: 'findOne',
    collection: CHANGE_FEED,
    inTransaction: false,
    times,
    error: () => new MongoServerError({ ok: 0, code: 6, errmsg: 'injected: host unreachable' }),
  });

/** A committed entry its appender never numbered (it died right after the commit). */
const orphan = (server: FakeServer, payload: unknown, id = new ObjectId()) =>
  fakeClient(server)
    .db('fake')
    .collection(CHANGE_FEED)
    .insertOne({ _id: id, seq: null, json: JSON.stringify(payload), at: new Date().toISOString() });

const append = (store: ResourceStore, payload: unknown) =>
  store.transaction((tx) => tx.feed.append(payload));

let opened: ResourceStore[] = [];
async function open(server = new FakeServer()) {
  const { store } = await openFakeStore(server);
  opened.push(store);
  return { store, server };
}
afterEach(async () => {
  await Promise.all(opened.map((store) => store.close()));
  opened = [];
});

describe('MongoDB change feed numbering', () => {
  it('the data transaction inserts the entry without a number; it is numbered once committed', async () => {
    const { store, server } = await open();
    const seen: Doc[][] = [];
    await store.transaction(async (tx) => {
      await tx.feed.append({ n: 1 });
      seen.push(entries(server));
    });
    expect(seen).toEqual([[]]);
    expect(entries(server)).toEqual([expect.objectContaining({ seq: 1, json: '{"n":1}' })]);
    expect(entries(server)[0]?._id).toBeInstanceOf(ObjectId);
    expect(counter(server)).toBe(1);
  });

  it('a numbering that fails after the commit leaves the entry to the next head() or read(), on any handle', async () => {
    const { store, server } = await open();
    const { store: peer } = await open(server);
    failNextNumbering(server);
    await expect(append(store, { n: 1 })).resolves.toBeUndefined();
    expect(entries(server)).toEqual([expect.objectContaining({ seq: null })]);
    expect(await peer.feed.head()).toBe(1);
    failNextNumbering(server);
    await append(store, { n: 2 });
    expect((await peer.feed.read(0, 10)).map((e) => [e.seq, e.payload])).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
    ]);
    expect(counter(server)).toBe(2);
  });

  it('numbers entries whose appender died before numbering them, oldest _id first', async () => {
    const { store, server } = await open();
    await append(store, { n: 1 });
    const now = Math.floor(Date.now() / 1000);
    const ids = [3, 1, 2].map((n) => ({ n, id: ObjectId.createFromTime(now + n) }));
    for (const { n, id } of ids) await orphan(server, { n: n + 1 }, id);
    expect(await store.feed.head()).toBe(4);
    expect(payloads(server)).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
      [3, { n: 3 }],
      [4, { n: 4 }],
    ]);
  });

  it('two handles numbering at the same time give every entry one number, gapless', async () => {
    const { store, server } = await open();
    const { store: peer } = await open(server);
    for (let n = 1; n <= 20; n += 1) await orphan(server, { n });
    const heads = await Promise.all([
      store.feed.head(),
      peer.feed.head(),
      store.feed.read(0, 100).then((read) => read.length),
      peer.feed.read(0, 100).then((read) => read.length),
    ]);
    expect(heads).toEqual([20, 20, 20, 20]);
    expect(payloads(server)).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, { n: i + 1 }]));
    expect(counter(server)).toBe(20);
  });

  it('an entry committed after a numbering pass took its snapshot is left to the next pass', async () => {
    const { store, server } = await open();
    failNextNumbering(server);
    await append(store, { n: 1 });
    const session = fakeClient(server).startSession() as unknown as FakeSession;
    session.startTransaction();
    const ctx = { db: fakeClient(server).db('fake'), session } as unknown as MongoContext;
    expect(await hasPending(ctx)).toBe(true); // the snapshot is taken here
    failNextNumbering(server);
    await append(store, { n: 2 });
    expect(await numberPending(ctx)).toBe(1);
    await session.commitTransaction();
    expect(payloads(server)).toEqual([
      [1, { n: 1 }],
      [null, { n: 2 }],
    ]);
    expect(await store.feed.read(0, 10)).toEqual([
      expect.objectContaining({ seq: 1, payload: { n: 1 } }),
      expect.objectContaining({ seq: 2, payload: { n: 2 } }),
    ]);
  });

  it('a numbering pass that conflicts with another runs again and numbers only what is left', async () => {
    const { store, server } = await open();
    await orphan(server, { n: 1 });
    const attempts: string[] = [];
    const numbered = await runTransaction(
      fakeClient(server),
      async (session) => {
        const ctx = { db: fakeClient(server).db('fake'), session } as unknown as MongoContext;
        await hasPending(ctx); // the snapshot is taken here
        if (attempts.length === 0) {
          expect(await store.feed.head()).toBe(1); // another pass numbers the entry meanwhile
          await orphan(server, { n: 2 });
        }
        try {
          return await numberPending(ctx);
        } catch (error) {
          attempts.push((error as { codeName?: string }).codeName ?? String(error));
          throw error;
        }
      },
      undefined,
      { maxAttempts: 3, backoffMs: 1 },
    );
    expect(attempts).toEqual(['WriteConflict']);
    expect(numbered).toBe(1);
    expect(payloads(server)).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
    ]);
    expect(counter(server)).toBe(2);
  });

  it('concurrent head() and read() of one handle share numbering runs instead of conflicting', async () => {
    const { store, server } = await open();
    for (let n = 1; n <= 5; n += 1) await orphan(server, { n });
    // The counter is raised once per numbering attempt (findOneAndUpdate is an updateOne here).
    const counterWrites = () =>
      server.calls.filter((call) => call.op === 'updateOne' && call.collection === META).length;
    const before = counterWrites();

    const heads = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0 ? store.feed.head() : store.feed.read(0, 10),
      ),
    );

    expect(heads.filter((h) => typeof h === 'number')).toEqual([5, 5, 5, 5]);
    for (const read of heads.filter((h) => Array.isArray(h))) {
      expect(read.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    }
    expect(counterWrites() - before).toBe(1);
  });

  it('head() numbers more than one batch', async () => {
    const { store, server } = await open();
    const pending = NUMBERING_BATCH + 3;
    for (let n = 1; n <= pending; n += 1) await orphan(server, { n });
    expect(await store.feed.head()).toBe(pending);
    expect(entries(server).filter((doc) => doc.seq === null)).toEqual([]);
    expect((await store.feed.read(NUMBERING_BATCH, 10)).map((e) => e.seq)).toEqual([
      NUMBERING_BATCH + 1,
      NUMBERING_BATCH + 2,
      NUMBERING_BATCH + 3,
    ]);
  });
});
