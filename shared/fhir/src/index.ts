export * from './search/search-query';
export * from './search/search-parameter';
export * from './search/parameters';
export * from './search/parse-search';
export { parseDateRange, parseDateValue } from './search/parse-date';
export {
  splitOrValues,
  splitUnescaped,
  unescapeValue,
  toRawParameters,
} from './search/search-input';
export type { RawParameter, SearchInput } from './search/search-input';
export { ID_PATTERN, RESOURCE_TYPE_PATTERN } from './search/parse-values';
export * from './bundles';
export * from './ins';
export * from './validation';
