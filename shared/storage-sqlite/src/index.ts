export { openSqliteStore, type SqliteStoreOptions } from './open-sqlite-store';
export * from './audit-log';
