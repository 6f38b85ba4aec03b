export * from './load-env';
export * from './env.schema';
