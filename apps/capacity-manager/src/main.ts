// The capacity manager: workers up when files wait, down to zero when idle.
import 'reflect-metadata';
import { capacityEnvSchema } from '@sluice/config';
import { CONSUMERS, STREAMS } from '@sluice/contracts';
import { runService } from '@sluice/messaging';
import { CapacityModule } from './capacity.module';

void runService({
  name: 'capacity-manager',
  envSchema: capacityEnvSchema,
  module: (deps) => CapacityModule.forRoot(deps),
  // The backlog is this consumer's pending and ack-pending counts.
  readsConsumers: [{ stream: STREAMS.work, consumer: CONSUMERS.transformers }],
});
