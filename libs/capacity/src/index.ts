export * from './backend';
export * from './local.backend';
export * from './scaling-policy';
