export * from './catalogue';
export * from './fhir-error';
export * from './trace';
