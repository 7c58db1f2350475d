export * from './errors';
export * from './challenge';
export * from './headers';
export * from './tokens';
export * from './mediaTypes';
export * from './hosts';
export * from './client';
export * from './transport';
