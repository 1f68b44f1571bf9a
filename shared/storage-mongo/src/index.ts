export { openMongoStore, type MongoStoreOptions } from './open-mongo-store';
export { databaseFromUrl } from './connect';
export { StandaloneServerError } from './topology';
export * from './audit-log';
