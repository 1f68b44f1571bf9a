export { openMongoStore, type MongoStoreOptions } from './open-mongo-store';
export type { BlobSweepOptions } from './blob-sweeper';
export { databaseFromUrl } from './connect';
export { StandaloneServerError } from './topology';
export * from './audit-log';
