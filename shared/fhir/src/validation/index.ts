export * from './resource-validator';
