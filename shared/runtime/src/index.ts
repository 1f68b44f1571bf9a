export * from './open-authenticator';
export * from './open-store';
export * from './run-service';
