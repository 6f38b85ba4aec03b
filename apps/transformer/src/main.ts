// A transformer worker: pulls one file at a time from the shared work queue and normalizes it.
import 'reflect-metadata';
import { transformerEnvSchema } from '@sluice/config';
import { CONSUMERS, FileDiscoveredSchema, STREAMS, SUBJECTS } from '@sluice/contracts';
import { DEFAULT_BACKOFF_MS, runService } from '@sluice/messaging';
import { TransformerModule } from './transformer.module';

void runService({
  name: 'transformer',
  envSchema: transformerEnvSchema,
  module: (deps) => TransformerModule.forRoot(deps),
  bindings: (env) => [
    {
      stream: STREAMS.work,
      consumer: CONSUMERS.transformers,
      routes: [{ pattern: SUBJECTS.fileDiscovered, schema: FileDiscoveredSchema }],
      policy: { maxDeliver: env.WORK_MAX_DELIVER, backoffMs: DEFAULT_BACKOFF_MS },
      ackWaitMs: env.WORK_ACK_WAIT_MS,
      deadlineMs: env.FILE_DEADLINE_MS,
    },
  ],
  drainTimeoutMs: (env) => env.DRAIN_TIMEOUT_MS,
});
