export * from './access-api';
export * from './access-client';
export * from './patient-registry';
export * from './change-feed-client';
