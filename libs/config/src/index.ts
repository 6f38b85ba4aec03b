export * from './load-env';
export * from './env.schema';
export * from './runtime';
export * from './sink-options';
export * from './s3-options';
export * from './source-options';
export * from './nats-options';
export * from './nats-url';
