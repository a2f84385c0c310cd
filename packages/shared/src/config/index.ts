export * from './api-keys';
export * from './load';
export * from './parsers';
export * from './settings';
