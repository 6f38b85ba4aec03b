// The scanner's pull consumers: each binds to a consumer the topology declares, with that consumer's settings.
import { SUBJECTS, WORK_ADVISORIES_PATTERN } from '@sluice/contracts';
import { pullBinding, type ConsumerTopology, type PullBinding } from '@sluice/messaging';

export function scannerBindings(consumers: ConsumerTopology): PullBinding[] {
  return [
    // Run and cancel share the control consumer: they are handled strictly in order, one at a time.
    pullBinding(consumers.scanner, { subjects: [SUBJECTS.run, SUBJECTS.cancel] }),
    pullBinding(consumers.runTracker, { subjects: [SUBJECTS.fileEvents] }),
    pullBinding(consumers.workAdvisories, { subjects: [WORK_ADVISORIES_PATTERN] }),
  ];
}
