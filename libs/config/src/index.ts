export * from './load-env';
export * from './env.schema';
export * from './runtime';
