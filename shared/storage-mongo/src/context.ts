import type { ClientSession, Collection, Db } from 'mongodb';
import type { Indexer, SearchParameterSet } from '@dmp/storage';
import type { HistoryDoc, ResourceDoc } from './documents';
import { historyCollection } from './collections';

/** What the operations need: the database, the open session (inside a transaction), clock… */
export interface MongoContext {
  db: Db;
  /** Set inside a transaction: every read and write passes it. */
  session?: ClientSession;
  indexer: Indexer;
  parameters: SearchParameterSet;
  now: () => Date;
  maxCount: number;
  /** Most chain targets listed in an `$in` before the chain is joined instead (tests lower it). */
  chainInLimit?: number;
}

export const resources = (ctx: MongoContext, type: string): Collection<ResourceDoc> =>
  ctx.db.collection<ResourceDoc>(type);

export const versions = (ctx: MongoContext, type: string): Collection<HistoryDoc> =>
  ctx.db.collection<HistoryDoc>(historyCollection(type));

/** Driver options carrying the session when there is one. */
export const withSession = (ctx: MongoContext): { session?: ClientSession } =>
  ctx.session ? { session: ctx.session } : {};
