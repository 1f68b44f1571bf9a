export { openSqliteAuditLog, type SqliteAuditLogOptions } from './open-sqlite-audit-log';
