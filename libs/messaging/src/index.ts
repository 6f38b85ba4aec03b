export * from './connection';
export * from './topology';
export * from './settlement';
export * from './publisher';
export * from './message-decoder';
export * from './jetstream.context';
export * from './jetstream.server';
export * from './rpc-errors.filter';
