import type { ResourceOperations } from '@dmp/storage';
import {
  createRow,
  deleteRow,
  findByIdentifierRows,
  historyRows,
  readRow,
  updateRow,
  vreadRow,
  type RowContext,
} from './resource-rows';
import { runSearch } from './search';

/** How operations reach the database: a read (snapshot) or a write (serialized, atomic). */
export interface Access {
  read<R>(fn: (ctx: RowContext) => R): Promise<R>;
  write<R>(fn: (ctx: RowContext) => R): Promise<R>;
}

/** The resource operations over an access strategy (store level or inside a transaction). */
export function createOperations(access: Access, maxCount: number): ResourceOperations {
  return {
    create: (resource, options) => access.write((ctx) => createRow(ctx, resource, options?.id)),
    read: (type, id) => access.read((ctx) => readRow(ctx, type, id)),
    vread: (type, id, versionId) => access.read((ctx) => vreadRow(ctx, type, id, versionId)),
    update: (resource, options) =>
      access.write((ctx) => updateRow(ctx, resource, options?.ifMatch)),
    delete: (type, id, options) =>
      access.write((ctx) => deleteRow(ctx, type, id, options?.ifMatch)),
    history: (type, id, options) =>
      access.read((ctx) => historyRows(ctx, type, id, options?.count)),
    search: (query) => access.read((ctx) => runSearch(ctx, query, maxCount)),
    findByIdentifier: (type, identifier) =>
      access.read((ctx) => findByIdentifierRows(ctx, type, identifier)),
  };
}
