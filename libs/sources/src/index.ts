export * from './source';
export * from './tlc-catalog';
export * from './https.source';
export * from './store.source';
export * from './open-source';
export * from './range-reader';
export * from './source-file';
