/**
 * The core's one public entry. Pure TypeScript on Node: nothing below src/core imports `vscode`,
 * so the CLI and the unit tests use it as it is.
 */
export { PRODUCT_NAME, PRODUCT_VERSION, USER_AGENT } from './product';
export * from './reference';
export * from './extract';
export * from './registry';
export * from './credentials';
export * from './versioning';
export * from './check';
export * from './edits';
export * from './docker';
export { replaceFileEntries } from './util';
