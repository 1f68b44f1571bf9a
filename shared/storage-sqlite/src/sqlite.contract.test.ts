import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { describeResourceStoreContract, type ContractHarness } from '@dmp/storage-contract';
import { openSqliteStore } from './open-sqlite-store';

const dirs = new WeakMap<ResourceStore, string>();

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const openIn = (dir: string, file: string) =>
  openSqliteStore({ file, blobDir: path.join(dir, 'blobs'), searchParameters: SEARCH_PARAMETERS });

function harness(name: string, file: (dir: string) => string): ContractHarness<ResourceStore> {
  const memory = file('') === ':memory:';
  return {
    name,
    caps: { serializedTransactions: true },
    async open(): Promise<ResourceStore> {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'dmp-sqlite-contract-'));
      const store = openIn(dir, file(dir));
      dirs.set(store, dir);
      return store;
    },
    // A second handle on the same file: another process of the service.
    ...(memory
      ? {}
      : {
          openPeer: (store: ResourceStore) => {
            const dir = dirs.get(store) ?? '/nonexistent';
            return Promise.resolve(openIn(dir, file(dir)));
          },
        }),
    async teardown(store) {
      await store.close();
      const dir = dirs.get(store);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
    listBlobFiles: (store) => listFiles(path.join(dirs.get(store) ?? '/nonexistent', 'blobs')),
  };
}

describeResourceStoreContract(harness('sqlite :memory:', () => ':memory:'));
describeResourceStoreContract(harness('sqlite file (WAL)', (dir) => path.join(dir, 'store.db')));
