import type { ResourceOperations } from '@dmp/storage';
import type { MongoContext } from './context';
import { runSearch } from './mongo-search';
import {
  createResource,
  deleteResource,
  findByIdentifier,
  historyOf,
  readResource,
  updateResource,
  vreadResource,
} from './resource-ops';

/** How operations reach the database: a read, or a write (inside a transaction). */
export interface Access {
  read<R>(fn: (ctx: MongoContext) => Promise<R>): Promise<R>;
  write<R>(fn: (ctx: MongoContext) => Promise<R>): Promise<R>;
}

/** The resource operations over an access strategy (store level or inside a transaction). */
export function createOperations(access: Access): ResourceOperations {
  return {
    create: (resource, options) =>
      access.write((ctx) => createResource(ctx, resource, options?.id)),
    read: (type, id) => access.read((ctx) => readResource(ctx, type, id)),
    vread: (type, id, versionId) => access.read((ctx) => vreadResource(ctx, type, id, versionId)),
    update: (resource, options) =>
      access.write((ctx) => updateResource(ctx, resource, options?.ifMatch)),
    delete: (type, id, options) =>
      access.write((ctx) => deleteResource(ctx, type, id, options?.ifMatch)),
    history: (type, id, options) => access.read((ctx) => historyOf(ctx, type, id, options?.count)),
    search: (query) => access.read((ctx) => runSearch(ctx, query)),
    findByIdentifier: (type, identifier) =>
      access.read((ctx) => findByIdentifier(ctx, type, identifier)),
  };
}
