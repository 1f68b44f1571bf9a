export * from './access-api';
export * from './access-client';
export * from './patient-registry';
