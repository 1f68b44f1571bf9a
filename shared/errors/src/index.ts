export * from './catalogue';
export * from './fhir-error';
