import type { ResourceStore } from '@dmp/storage';
import { describeResourceStoreContract, type ContractHarness } from '@dmp/storage-contract';
import { GRIDFS_BUCKET } from './collections';
import { openFakeStore } from './fake-driver/fake-store';
import type { FakeServer } from './fake-driver/fake-server';

/**
 * The shared contract suite on the real MongoDB adapter over the in-memory stand-in of the
 * driver and server (`fake-driver/`): every adapter code path runs, with MongoDB's transaction
 * semantics (snapshots, write conflicts, retries), no lock between transactions, and two store
 * handles on one server as two instances. The live suite (`mongo.contract.test.ts`) still runs
 * against a real replica set when `MONGODB_URI` is set.
 */
const servers = new WeakMap<ResourceStore, FakeServer>();

const harness: ContractHarness<ResourceStore> = {
  name: 'mongo adapter on the fake driver',
  caps: { serializedTransactions: false },
  async open() {
    const { store, server } = await openFakeStore();
    servers.set(store, server);
    return store;
  },
  teardown: (store) => store.close(),
  async openPeer(store) {
    const { store: peer } = await openFakeStore(servers.get(store));
    return peer;
  },
  listBlobFiles: (store) =>
    Promise.resolve(
      (servers.get(store)?.docs(`${GRIDFS_BUCKET}.files`) ?? []).map((f) => String(f._id)),
    ),
};

describeResourceStoreContract(harness);
