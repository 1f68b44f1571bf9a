export * from './audit-log-port';
export * from './canonical-json';
export * from './hash-chain';
export * from './audit-log.contract';
