import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { describeResourceStoreContract, type ContractHarness } from '@dmp/storage-contract';
import { GRIDFS_BUCKET } from './collections';
import { openMongoStore } from './open-mongo-store';

/**
 * The shared contract suite against a live MongoDB replica set named by `MONGODB_URI` (see the
 * README: `docker compose -f docker/compose.yaml up -d mongo`). Each store gets a fresh database,
 * dropped at teardown. Without the variable the suite is registered as an explicit skip.
 */
const uri = process.env.MONGODB_URI;

if (uri === undefined || uri === '') {
  describe.skip('mongo contract (skipped: MONGODB_URI not set; no MongoDB server on this machine)', () => {
    it('needs a MongoDB replica set at MONGODB_URI', () => undefined);
  });
} else {
  const databases = new WeakMap<ResourceStore, string>();
  let admin: MongoClient;
  beforeAll(async () => {
    admin = await new MongoClient(uri).connect();
  });
  afterAll(async () => {
    await admin.close();
  });
  const harness: ContractHarness<ResourceStore> = {
    name: 'mongo',
    async open() {
      const dbName = `dmp_contract_${randomUUID().slice(0, 8)}`;
      const store = await openMongoStore({ url: uri, dbName, searchParameters: SEARCH_PARAMETERS });
      databases.set(store, dbName);
      return store;
    },
    async teardown(store) {
      await store.close();
      const dbName = databases.get(store);
      if (dbName) await admin.db(dbName).dropDatabase();
    },
    async listBlobFiles(store) {
      const files = await admin
        .db(databases.get(store) ?? 'none')
        .collection(`${GRIDFS_BUCKET}.files`)
        .find({}, { projection: { _id: 1 } })
        .toArray();
      return files.map((f) => String(f._id));
    },
  };
  describeResourceStoreContract(harness);
}
