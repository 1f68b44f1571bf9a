export {
  openMongoAuditLog,
  openMongoAuditRetention,
  ensureAuditIndexes,
  type MongoAuditLogOptions,
} from './open-mongo-audit-log';
