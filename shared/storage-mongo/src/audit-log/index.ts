export {
  openMongoAuditLog,
  ensureAuditIndexes,
  type MongoAuditLogOptions,
} from './open-mongo-audit-log';
