// The scanner: plans runs, enqueues their files, tracks them to completion.
import 'reflect-metadata';
import { scannerEnvSchema } from '@sluice/config';
import {
  CancelRequestSchema,
  CONSUMERS,
  FileEventSchema,
  RunRequestSchema,
  STREAMS,
  SUBJECTS,
  WORK_ADVISORIES_PATTERN,
  WorkAdvisorySchema,
} from '@sluice/contracts';
import { DEFAULT_BACKOFF_MS, runService } from '@sluice/messaging';
import { ScannerModule } from './scanner.module';

void runService({
  name: 'scanner',
  envSchema: scannerEnvSchema,
  module: (deps) => ScannerModule.forRoot(deps),
  declaresTopology: true,
  bindings: (env) => [
    // Run and cancel share the control consumer: they are handled strictly in order, one at a time.
    {
      stream: STREAMS.control,
      consumer: CONSUMERS.scanner,
      routes: [
        { pattern: SUBJECTS.run, schema: RunRequestSchema },
        { pattern: SUBJECTS.cancel, schema: CancelRequestSchema },
      ],
      policy: { maxDeliver: 5, backoffMs: DEFAULT_BACKOFF_MS },
      ackWaitMs: env.CONTROL_ACK_WAIT_MS,
    },
    {
      stream: STREAMS.events,
      consumer: CONSUMERS.runTracker,
      routes: [{ pattern: SUBJECTS.fileEvents, schema: FileEventSchema }],
      policy: { maxDeliver: 10, backoffMs: DEFAULT_BACKOFF_MS },
      ackWaitMs: 30_000,
    },
    {
      stream: STREAMS.advisories,
      consumer: CONSUMERS.workAdvisories,
      routes: [{ pattern: WORK_ADVISORIES_PATTERN, schema: WorkAdvisorySchema }],
      policy: { maxDeliver: 10, backoffMs: DEFAULT_BACKOFF_MS },
      ackWaitMs: 30_000,
    },
  ],
});
