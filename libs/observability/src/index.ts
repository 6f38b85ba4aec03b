export * from './logger';
export * from './redaction';
export * from './metrics';
export * from './cloudwatch-figures';
export * from './health';
