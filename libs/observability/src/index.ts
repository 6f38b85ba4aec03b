export * from './logger';
export * from './redaction';
export * from './metrics';
export * from './health';
