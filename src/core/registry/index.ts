export * from './errors';
export * from './challenge';
