// A transformer worker: pulls one file at a time from the shared work queue and normalizes it.
import '@sluice/lifecycle/compile-cache';
import 'reflect-metadata';
import { transformerEnvSchema } from '@sluice/config';
import { runService } from '@sluice/lifecycle';
import { transformerBindings } from './consumer-bindings';
import { TransformerModule } from './transformer.module';

void runService({
  name: 'transformer',
  envSchema: transformerEnvSchema,
  module: (deps) => TransformerModule.forRoot(deps),
  bindings: (consumers, env) => transformerBindings(consumers, { fileDeadlineMs: env.FILE_DEADLINE_MS }),
  drainTimeoutMs: (env) => env.DRAIN_TIMEOUT_MS,
});
