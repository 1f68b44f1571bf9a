import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { openMongoStoreOnClient, type MongoStoreOptions } from '../open-mongo-store';
import { fakeClient } from './fake-client';
import { FakeServer } from './fake-server';

/** The real adapter on a fake server; `peer` opens another instance on the same server. */
export async function openFakeStore(
  server = new FakeServer(),
  options: Partial<Omit<MongoStoreOptions, 'url'>> = {},
): Promise<{ store: ResourceStore; server: FakeServer }> {
  const store = await openMongoStoreOnClient(fakeClient(server), {
    dbName: 'fake',
    searchParameters: SEARCH_PARAMETERS,
    retry: { maxAttempts: 8, backoffMs: 1 },
    ...options,
  });
  return { store, server };
}
