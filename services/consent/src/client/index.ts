export * from './access-api';
export * from './access-client';
