import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DocumentReference } from 'fhir/r4';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { ResourceStore, StoreTransaction } from '@dmp/storage';
import { openSqliteStore } from './open-sqlite-store';

const document = (): DocumentReference => ({
  resourceType: 'DocumentReference',
  status: 'current',
  content: [{ attachment: { url: 'Binary/1' } }],
});

describe('concurrent transactions of a SQLite store (group commit)', () => {
  let dir: string;
  let store: ResourceStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmp-group-'));
    store = openSqliteStore({
      file: path.join(dir, 'store.db'),
      blobDir: path.join(dir, 'blobs'),
      searchParameters: SEARCH_PARAMETERS,
    });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A transaction that writes a resource, a blob, an outbox record and a claim. */
  const writeAll = async (tx: StoreTransaction, bytes: Buffer, key: string) => {
    const blob = await tx.blobs.put(bytes, 'application/pdf');
    const stored = await tx.create(document());
    await tx.outbox.append('topic', { id: stored.id });
    expect(await tx.claimUnique('test', key)).toBe(true);
    return { id: stored.id ?? '', blob: blob.key };
  };

  it('commits the others when one throws, and leaves nothing of the one that threw', async () => {
    const failed = { id: '', blob: '' };
    const outcomes = await Promise.allSettled([
      store.transaction((tx) => writeAll(tx, Buffer.from('first'), 'first')),
      store.transaction(async (tx) => {
        Object.assign(failed, await writeAll(tx, Buffer.from('second'), 'second'));
        throw new Error('the second is invalid');
      }),
      store.transaction((tx) => writeAll(tx, Buffer.from('third'), 'third')),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    for (const outcome of outcomes) {
      if (outcome.status !== 'fulfilled') continue;
      await expect(store.read('DocumentReference', outcome.value.id)).resolves.toBeDefined();
      await expect(store.blobs.stat(outcome.value.blob)).resolves.toBeDefined();
    }
    await expect(store.read('DocumentReference', failed.id)).rejects.toMatchObject({
      status: 404,
    });
    await expect(store.blobs.stat(failed.blob)).resolves.toBeUndefined();
    expect(
      existsSync(path.join(dir, 'blobs', 'objects', failed.blob.slice(0, 2), failed.blob)),
    ).toBe(false);
    expect(await store.outbox.pending('topic')).toBe(2);
    expect(await store.transaction((tx) => tx.claimUnique('test', 'second'))).toBe(true);
  });

  it('answers a transaction only once the commit it shares with the others is done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let secondStarted!: () => void;
    const started = new Promise<void>((resolve) => (secondStarted = resolve));
    let firstAnswered = false;
    const first = store
      .transaction((tx) => tx.create(document()))
      .then((stored) => {
        firstAnswered = true;
        return stored;
      });
    const second = store.transaction(async (tx) => {
      secondStarted();
      await gate;
      return tx.create(document());
    });

    await started;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(firstAnswered).toBe(false);
    release();
    const [created] = await Promise.all([first, second]);
    await expect(store.read('DocumentReference', created.id ?? '')).resolves.toBeDefined();
  });

  it('writes the bytes again for a later transaction after an earlier one with them rolled back', async () => {
    const bytes = Buffer.from('shared bytes');
    const [failed, kept] = await Promise.allSettled([
      store.transaction(async (tx) => {
        await tx.blobs.put(bytes, 'application/pdf');
        throw new Error('invalid');
      }),
      store.transaction((tx) => tx.blobs.put(bytes, 'application/pdf')),
    ]);

    expect(failed?.status).toBe('rejected');
    if (kept?.status !== 'fulfilled') throw new Error('the second transaction failed');
    const stream = await store.blobs.get(kept.value.key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
  });
});
