export * from './backend';
export * from './local.backend';
export * from './ecs.backend';
export * from './scaling-policy';
