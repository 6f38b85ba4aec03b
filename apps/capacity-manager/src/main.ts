// The capacity manager: workers up when files wait, down to zero when idle.
import '@sluice/lifecycle/compile-cache';
import 'reflect-metadata';
import { capacityEnvSchema } from '@sluice/config';
import { runService } from '@sluice/lifecycle';
import { BACKLOG_CONSUMER } from './backlog-watcher';
import { CapacityModule } from './capacity.module';

void runService({
  name: 'capacity-manager',
  envSchema: capacityEnvSchema,
  module: (deps) => CapacityModule.forRoot(deps),
  readsConsumers: [BACKLOG_CONSUMER],
});
