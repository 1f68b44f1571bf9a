import { MongoErrorLabel, MongoNetworkError, MongoServerError, type ObjectId } from 'mongodb';
import { buildDocument, randomWord } from '@dmp/storage-contract';
import { BLOBS, GRIDFS_BUCKET } from './collections';
import { openFakeStore } from './fake-driver/fake-store';
import type { Failure, FakeServer } from './fake-driver/fake-server';

/**
 * Driver errors injected through the real adapter (`store.transaction`, store-level writes and
 * blob puts) at each step of a transaction: the read, the write, the outbox append, the claim,
 * the commit. Transient ones are retried and the work lands once; after the last attempt they
 * are a 503; nothing staged is left behind, and nothing committed loses its bytes.
 */
const serverError =
  (code: number, labels: string[] = []) =>
  () =>
    new MongoServerError({ ok: 0, code, errmsg: `injected ${code}`, errorLabels: labels });
const writeConflict = serverError(112, [MongoErrorLabel.TransientTransactionError]);
const noSuchTransaction = serverError(251, [MongoErrorLabel.TransientTransactionError]);
const unknownCommit = serverError(91, [MongoErrorLabel.UnknownTransactionCommitResult]);
const network = () => new MongoNetworkError('injected: connection reset');

const files = (server: FakeServer) =>
  server.docs(`${GRIDFS_BUCKET}.files`).map((f) => String(f._id));
const chunks = (server: FakeServer) => server.docs(`${GRIDFS_BUCKET}.chunks`).length;

async function work(server: FakeServer, failure: Failure) {
  const { store } = await openFakeStore(server);
  const existing = await store.create(buildDocument());
  server.failures.push(failure);
  let runs = 0;
  const key = randomWord('k');
  const result = await store.transaction(async (tx) => {
    runs += 1;
    const current = await tx.read<typeof existing>('DocumentReference', existing.id ?? '');
    const claimed = await tx.claimUnique('master', key);
    await tx.update({ ...current, description: 'changed' });
    await tx.outbox.append('audit', { run: runs });
    return claimed;
  });
  return { store, existing, runs, result, key };
}

describe('transient errors inside store.transaction are retried, not mapped at once', () => {
  it.each<[string, Failure]>([
    [
      'a WriteConflict on the read',
      { op: 'findOne', collection: 'DocumentReference', inTransaction: true, error: writeConflict },
    ],
    [
      'a WriteConflict on the claim',
      { op: 'insertOne', collection: 'unique_claims', error: writeConflict },
    ],
    ['a NoSuchTransaction on the update', { op: 'replaceOne', error: noSuchTransaction }],
    [
      'a network error on the outbox append',
      { op: 'insertOne', collection: 'outbox', error: network },
    ],
    ['a WriteConflict refused at commit', { op: 'commitTransaction', error: writeConflict }],
    [
      'a network error at commit (outcome unknown, committed again)',
      { op: 'commitTransaction', error: network },
    ],
    [
      'an unknown commit result that did land',
      { op: 'commitTransaction', when: 'after', error: unknownCommit },
    ],
  ])('%s: the work lands once', async (_name, failure) => {
    const server = await freshServer();
    const { store, existing, result, key } = await work(server, failure);
    expect(server.failures).toEqual([]);
    expect(result).toBe(true);
    const stored = await store.read<typeof existing>('DocumentReference', existing.id ?? '');
    expect(stored).toMatchObject({ description: 'changed', meta: { versionId: '2' } });
    expect(await store.outbox.pending('audit')).toBe(1);
    expect(await store.transaction((tx) => tx.claimUnique('master', key))).toBe(false);
    await store.close();
  });

  it('after the last attempt a transient error is a 503 DMP-STORAGE-UNAVAILABLE, nothing written', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server, { retry: { maxAttempts: 3, backoffMs: 1 } });
    server.failures.push({ op: 'insertOne', collection: 'outbox', times: 3, error: writeConflict });
    await expect(
      store.transaction(async (tx) => {
        await tx.create(buildDocument());
        await tx.outbox.append('audit', {});
      }),
    ).rejects.toMatchObject({ status: 503, code: 'DMP-STORAGE-UNAVAILABLE' });
    expect(server.docs('DocumentReference')).toEqual([]);
    expect(await store.outbox.pending('audit')).toBe(0);
  });

  it('a business error is not retried and passes unchanged', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server);
    let runs = 0;
    await expect(
      store.transaction(async (tx) => {
        runs += 1;
        await tx.read('DocumentReference', 'nope');
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(runs).toBe(1);
  });
});

describe('staged blobs across aborted attempts and unknown commits', () => {
  it('an attempt aborted by a write conflict leaves no GridFS file; the retry stores one', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server);
    server.failures.push({ op: 'insertOne', collection: 'outbox', error: writeConflict });
    const info = await store.transaction(async (tx) => {
      const blob = await tx.blobs.put(Buffer.from(randomWord('bytes')), 'text/plain');
      await tx.outbox.append('audit', {});
      return blob;
    });
    const [meta] = server.docs(BLOBS);
    expect(files(server)).toEqual([String(meta?.file)]);
    expect(await store.blobs.stat(info.key)).toEqual(info);
  });

  it('a put still uploading when its attempt aborts leaves no file and no chunk', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server);
    const big = Buffer.alloc(3 * 255 * 1024, 7);
    await expect(
      store.transaction((tx) => {
        const upload = tx.blobs.put(big, 'application/pdf');
        upload.catch(() => undefined);
        return Promise.reject(new Error('validation failed while the upload runs'));
      }),
    ).rejects.toThrow('validation failed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(files(server)).toEqual([]);
    expect(chunks(server)).toBe(0);
  });

  it('a commit whose outcome stays unknown but landed keeps the file the metadata points at', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server, { retry: { maxAttempts: 2, backoffMs: 1 } });
    server.failures.push({ op: 'commitTransaction', when: 'after', error: unknownCommit });
    server.failures.push({ op: 'commitTransaction', times: 1, error: unknownCommit });
    const bytes = Buffer.from(randomWord('landed'));
    await expect(
      store.transaction((tx) => tx.blobs.put(bytes, 'text/plain')),
    ).rejects.toMatchObject({ status: 503 });
    const [meta] = server.docs(BLOBS);
    expect(files(server)).toEqual([String(meta?.file as ObjectId)]);
  });

  it('a store-level put whose commit outcome stays unknown answers with the blob when it landed', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server, { retry: { maxAttempts: 2, backoffMs: 1 } });
    server.failures.push({ op: 'commitTransaction', when: 'after', error: unknownCommit });
    server.failures.push({ op: 'commitTransaction', times: 1, error: unknownCommit });
    const info = await store.blobs.put(Buffer.from(randomWord('alone')), 'text/plain');
    expect(await store.blobs.stat(info.key)).toEqual(info);
    expect(files(server)).toHaveLength(1);
  });

  it('an unknown outcome whose follow-up read fails keeps the staged file (for the sweeper)', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server, { retry: { maxAttempts: 2, backoffMs: 1 } });
    server.failures.push({ op: 'commitTransaction', times: 2, error: unknownCommit });
    server.failures.push({
      op: 'findOne',
      collection: BLOBS,
      inTransaction: false,
      error: network,
    });
    await expect(
      store.blobs.put(Buffer.from(randomWord('kept')), 'text/plain'),
    ).rejects.toMatchObject({ status: 503 });
    expect(files(server)).toHaveLength(1);
  });

  it('an unknown outcome that a successful read proves not landed deletes the staged file', async () => {
    const server = await freshServer();
    const { store } = await openFakeStore(server, { retry: { maxAttempts: 2, backoffMs: 1 } });
    server.failures.push({ op: 'commitTransaction', times: 2, error: unknownCommit });
    await expect(
      store.blobs.put(Buffer.from(randomWord('gone')), 'text/plain'),
    ).rejects.toMatchObject({ status: 503 });
    expect(files(server)).toEqual([]);
  });
});

async function freshServer(): Promise<FakeServer> {
  const { store, server } = await openFakeStore();
  await store.close();
  return server;
}
