export * from './open-authenticator';
export * from './open-store';
export * from './run-service';
export * from './audit-shipper';
export * from './service-token';
