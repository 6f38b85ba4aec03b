// The scanner's pull consumers: each binds to a consumer the topology declares, with that consumer's settings.
import {
  CancelRequestSchema,
  FileEventSchema,
  RunRequestSchema,
  SUBJECTS,
  WORK_ADVISORIES_PATTERN,
  WorkAdvisorySchema,
} from '@sluice/contracts';
import { pullBinding, type ConsumerTopology, type PullBinding } from '@sluice/messaging';

export function scannerBindings(consumers: ConsumerTopology): PullBinding[] {
  return [
    // Run and cancel share the control consumer: they are handled strictly in order, one at a time.
    pullBinding(consumers.scanner, {
      routes: [
        { pattern: SUBJECTS.run, schema: RunRequestSchema },
        { pattern: SUBJECTS.cancel, schema: CancelRequestSchema },
      ],
    }),
    pullBinding(consumers.runTracker, { routes: [{ pattern: SUBJECTS.fileEvents, schema: FileEventSchema }] }),
    pullBinding(consumers.workAdvisories, { routes: [{ pattern: WORK_ADVISORIES_PATTERN, schema: WorkAdvisorySchema }] }),
  ];
}
