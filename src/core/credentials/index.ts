export * from './types';
export * from './authFile';
export * from './dockerConfig';
export * from './containersAuth';
export * from './keychains';
export * from './chain';
