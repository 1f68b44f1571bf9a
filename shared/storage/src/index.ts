export * from './ports';
export * from './indexing/index-entry';
export { dateRange, periodRange } from './indexing/date-range';
export { createIndexer, type Indexer, type SearchParameterSet } from './indexing/indexer';
export * from './storage-url';
export * from './audit-log';
export * from './search-cursor';
export { coalescedRun } from './coalesced-run';
export { outboxRecordFromJson } from './outbox-record';
export {
  createGroupCommit,
  createGroupCommitOutbox,
  type GroupCommit,
  type GroupCommitOptions,
  type GroupOutcome,
} from './group-commit';
