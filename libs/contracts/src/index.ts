export * from './errors';
export * from './subjects';
export * from './messages';
export * from './records';
export * from './layout';
export * from './bus-permissions';
export * from './etag';
export * from './committed-for';
