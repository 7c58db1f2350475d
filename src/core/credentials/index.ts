export * from './types';
export * from './dockerConfig';
export * from './keychains';
export * from './chain';
