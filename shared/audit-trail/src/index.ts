export * from './vocabulary';
export * from './sanitize';
export * from './user-agent';
export * from './refusal-event';
export * from './record';
export * from './consent-change';
