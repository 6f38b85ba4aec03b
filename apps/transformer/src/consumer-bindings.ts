// The transformer's pull consumer: the shared work consumer the topology declares, one file at a time.
import { SUBJECTS } from '@sluice/contracts';
import { pullBinding, type ConsumerTopology, type PullBinding } from '@sluice/messaging';

export function transformerBindings(consumers: ConsumerTopology, opts: { fileDeadlineMs: number }): PullBinding[] {
  return [pullBinding(consumers.transformers, { subjects: [SUBJECTS.fileDiscovered], deadlineMs: opts.fileDeadlineMs })];
}
